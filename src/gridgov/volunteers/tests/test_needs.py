from datetime import timedelta

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, PermissionDenied
from gridgov.notifications.models import Message
from gridgov.volunteers import services
from gridgov.volunteers.inbox import NEARBY
from gridgov.volunteers.models import NeedState
from gridgov.volunteers.tests.conftest import T0

pytestmark = pytest.mark.django_db


def told(need):
    return set(Message.objects.filter(kind=NEARBY, url__endswith=f"/needs/{need.pk}/").values_list(
        "recipient_id", flat=True))


def test_a_need_without_review_is_published_at_submission_and_told_to_its_micro_grid_first(post, crew, street):
    need = post()
    assert need.state == NeedState.PUBLISHED and need.published_at == T0
    assert need.due_at == T0 + timedelta(minutes=8)  # the claim window of the 3812 standard
    assert told(need) == {crew.a1.pk, crew.a1_far.pk}
    assert AuditRecord.objects.filter(action="volunteer.need", object_id=str(need.pk)).exists()


def test_the_requester_is_never_told_of_their_own_need(post, crew, street):
    need = post(actor=crew.a1)
    assert crew.a1.pk not in told(need)


def test_a_category_with_review_waits_for_a_cadre_within_its_publish_window(post, crew, street):
    need = post(category=crew.company, requester_kind="company", company="云和木玩厂")
    assert need.state == NeedState.SUBMITTED and need.due_at == T0 + timedelta(minutes=3)
    assert told(need) == set()
    assert Message.objects.filter(recipient=street.community_cadre, kind="volunteer").exists()
    services.need_review(actor=street.community_cadre, need=need, approve=True, now=T0 + timedelta(minutes=2))
    need.refresh_from_db()
    assert need.state == NeedState.PUBLISHED and told(need) == {crew.a1.pk, crew.a1_far.pk}


def test_declining_a_need_needs_a_reason(post, crew, street):
    need = post(category=crew.company, requester_kind="company", company="云和木玩厂")
    with pytest.raises(DomainError) as refused:
        services.need_review(actor=street.community_cadre, need=need, approve=False)
    assert refused.value.code == "reason_required"


def test_a_need_in_the_past_is_refused(post):
    with pytest.raises(DomainError) as refused:
        post(starts_at=T0 - timedelta(hours=1))
    assert refused.value.code == "need_in_past"


def test_a_need_outside_the_requesters_area_is_refused(post, street):
    with pytest.raises(PermissionDenied):
        post(node=street.grid_c)


@pytest.mark.parametrize("helpers", [0, -1, 501, "many"])
def test_helpers_out_of_range_are_refused(post, helpers):
    with pytest.raises(DomainError) as refused:
        post(helpers=helpers)
    assert refused.value.code == "invalid"


def test_a_repeated_submission_with_the_same_key_posts_one_need(post):
    first, second = post(idempotency_key="k1"), post(idempotency_key="k1")
    assert first.pk == second.pk


def test_only_volunteers_with_the_categorys_skill_are_told(post, crew):
    need = post(category=crew.medical)
    assert told(need) == {crew.a1.pk}
