import pytest

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.notifications.models import Message
from gridgov.volunteers import callouts, selectors
from gridgov.volunteers.inbox import CALLOUT
from gridgov.volunteers.models import Answer

pytestmark = pytest.mark.django_db


def raise_callout(street, **overrides):
    fields = dict(actor=street.community_cadre, node=street.community, kind="flood", title="东门河水位上涨",
                  target=3, assembly_point="东门社区广场")
    fields.update(overrides)
    return callouts.callout_raise(**fields)


def test_a_call_out_reaches_every_volunteer_of_the_area_at_once(street, crew):
    callout = raise_callout(street)
    recipients = set(Message.objects.filter(kind=CALLOUT).values_list("recipient_id", flat=True))
    assert recipients == {crew.a1.pk, crew.a1_far.pk, crew.a2.pk, crew.b1.pk} and callout.told == 4
    assert AuditRecord.objects.filter(action="volunteer.callout", object_id=str(callout.pk)).exists()


def test_a_radius_keeps_only_volunteers_located_inside_it(street, crew):
    callout = raise_callout(street, latitude="28.1", longitude="119.5", radius_m=1000)
    assert callout.told == 1
    assert set(Message.objects.filter(kind=CALLOUT).values_list("recipient_id", flat=True)) == {crew.a1.pk}


def test_answers_count_live_against_the_target(street, crew):
    callout = raise_callout(street)
    callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING, latitude="28.1", longitude="119.5")
    callouts.callout_answer(actor=crew.a2, callout=callout, answer=Answer.CANNOT)
    live = selectors.callout_live(callout)
    assert (live.coming, live.cannot, live.told, live.percent) == (1, 1, 4, 33)
    assert [name for name, _lat, _lon in live.points] == ["志愿者甲"]


def test_a_call_out_answered_twice_is_refused_and_counted_once(street, crew):
    callout = raise_callout(street)
    callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING)
    with pytest.raises(DomainError) as refused:
        callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.CANNOT)
    assert refused.value.code == "already_answered"
    assert selectors.callout_live(callout).coming == 1


def test_a_volunteer_of_another_area_cannot_answer(street, crew):
    callout = raise_callout(street, node=street.grid_a)
    with pytest.raises(DomainError) as refused:
        callouts.callout_answer(actor=crew.b1, callout=callout, answer=Answer.COMING)
    assert refused.value.code == "out_of_scope"


def test_a_closed_call_out_takes_no_answers(street, crew):
    callout = raise_callout(street)
    callouts.callout_close(actor=street.community_cadre, callout=callout)
    with pytest.raises(DomainError) as refused:
        callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING)
    assert refused.value.code == "callout_closed"


def test_only_cadres_raise_call_outs(street, crew):
    with pytest.raises(DomainError) as refused:
        raise_callout(street, actor=street.worker_a, node=street.grid_a)
    assert refused.value.code == "forbidden"
