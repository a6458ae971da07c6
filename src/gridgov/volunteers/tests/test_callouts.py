import pytest

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.geo.models import Boundary
from gridgov.notifications.models import Message
from gridgov.volunteers import callouts, selectors
from gridgov.volunteers.inbox import CALLOUT
from gridgov.volunteers.models import Answer, CalloutAnswer

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
    assert [(each.name, each.source) for each in live.people] == [("志愿者甲", "shared")]


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


def test_the_map_draws_each_person_coming_where_they_shared_else_registered_else_at_their_grids_centre(
        street, crew, drawn):
    callout = raise_callout(street, latitude="28.05", longitude="119.52")
    callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING, latitude="28.0501",
                            longitude="119.5201")
    callouts.callout_answer(actor=crew.a1_far, callout=callout, answer=Answer.COMING)
    callouts.callout_answer(actor=crew.a2, callout=callout, answer=Answer.COMING)  # no location: M02's centre
    callouts.callout_answer(actor=crew.b1, callout=callout, answer=Answer.CANNOT)
    drawn_map = selectors.callout_map(callout, cadre=True, boundaries=True)
    assert [(each["name"], each["source"]) for each in drawn_map["people"]] == [
        ("志愿者甲", "shared"), ("志愿者乙", "registered"), ("志愿者丙", "grid")]
    assert (drawn_map["people"][0]["lat"], drawn_map["people"][1]["lat"]) == (28.0501, 28.2)
    assert (drawn_map["people"][2]["lat"], drawn_map["people"][2]["lon"]) == pytest.approx((28.05, 119.575))
    assert drawn_map["assembly"] == {"name": "东门社区广场", "lat": 28.05, "lon": 119.52}
    assert (drawn_map["coming"], drawn_map["cannot"], drawn_map["unlocated"], drawn_map["drawable"]) == (3, 1, [], True)
    assert {feature["properties"]["code"] for feature in drawn_map["boundaries"]["features"]} == {"C01", "G01", "G02"}


def test_someone_without_any_location_is_counted_and_listed_but_not_drawn(street, crew):
    callout = raise_callout(street)  # no boundary anywhere, no assembly coordinates
    callouts.callout_answer(actor=crew.a2, callout=callout, answer=Answer.COMING)
    drawn_map = selectors.callout_map(callout, cadre=True, boundaries=True)
    assert (drawn_map["coming"], drawn_map["people"], drawn_map["unlocated"]) == (1, [], ["志愿者丙"])
    assert drawn_map["drawable"] is False and drawn_map["boundaries"]["features"] == []


def test_only_the_cadres_of_the_area_see_who_is_coming(street, crew):
    callout = raise_callout(street, latitude="28.05", longitude="119.52")
    callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING)
    cadre, volunteer = (selectors.callout_map(callout, cadre=True), selectors.callout_map(callout, cadre=False))
    assert [each["name"] for each in cadre["people"]] == ["志愿者甲"]
    assert (volunteer["people"], volunteer["unlocated"], volunteer["coming"]) == ([], [], 1)
    assert volunteer["assembly"]["name"] == "东门社区广场" and volunteer["drawable"] is True


def test_a_location_shared_when_answering_is_checked_for_range(street, crew):
    callout = raise_callout(street)
    with pytest.raises(DomainError) as refused:
        callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING, latitude="91", longitude="119")
    assert refused.value.code == "invalid_location"
    assert selectors.callout_live(callout).coming == 0


def test_the_grid_centre_of_someone_without_a_location_is_found_once_when_they_answer_not_on_each_refresh(
        street, crew, drawn, django_assert_num_queries):
    callout = raise_callout(street, latitude="28.05", longitude="119.52")
    callouts.callout_answer(actor=crew.a2, callout=callout, answer=Answer.COMING)  # no location: M02's centre
    callouts.callout_answer(actor=crew.a1_far, callout=callout, answer=Answer.COMING)  # registered: no centre kept
    kept = CalloutAnswer.objects.get(callout=callout, person=crew.a2)
    assert (float(kept.centre_latitude), float(kept.centre_longitude)) == pytest.approx((28.05, 119.575))
    assert CalloutAnswer.objects.get(callout=callout, person=crew.a1_far).centre_latitude is None
    Boundary.objects.all().delete()  # a refresh reads no boundary: the kept centre is drawn all the same
    with django_assert_num_queries(2):  # the counts, who is coming
        live = selectors.callout_live(callout)
    assert [(each.name, each.source, each.latitude) for each in live.drawn] == [
        ("志愿者丙", "grid", pytest.approx(28.05)), ("志愿者乙", "registered", 28.2)]
