"""The 3812 windows through the deadline engine at minute precision, and the waves that follow a quiet need."""

from datetime import timedelta

import pytest

from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.scan import scan_deadlines
from gridgov.notifications.models import Message
from gridgov.volunteers import services
from gridgov.volunteers.inbox import NEARBY
from gridgov.volunteers.services import QUICK_ITEM, SERVE_ITEM
from gridgov.volunteers.tests.conftest import T0

pytestmark = pytest.mark.django_db


def watch(at):
    return scan_deadlines(now=at, minute_precision_only=True)


def told(need):
    return set(Message.objects.filter(kind=NEARBY, url__endswith=f"/needs/{need.pk}/").values_list(
        "recipient_id", flat=True))


def test_an_unclaimed_need_alerts_the_community_cadre_within_30_seconds_of_the_eighth_minute(post, street):
    need = post()
    watch(T0 + timedelta(minutes=7, seconds=50))
    assert not Alert.objects.filter(item_id=need.pk, level=AlertLevel.OVERDUE).exists()
    watch(T0 + timedelta(minutes=8, seconds=20))
    alert = Alert.objects.get(item_type=QUICK_ITEM, item_id=need.pk, level=AlertLevel.OVERDUE)
    assert alert.recipient == street.community_cadre and alert.stage == "published"


def test_a_need_still_unclaimed_five_minutes_later_is_escalated_to_the_street(post, street):
    need = post()
    watch(T0 + timedelta(minutes=13, seconds=5))
    escalated = Alert.objects.get(item_type=QUICK_ITEM, item_id=need.pk, level=AlertLevel.ESCALATED)
    assert escalated.recipient == street.street_cadre


def test_a_need_left_unpublished_past_three_minutes_alerts_its_reviewer(post, crew, street):
    need = post(category=crew.company, requester_kind="company", company="云和木玩厂")
    watch(T0 + timedelta(minutes=3, seconds=10))
    assert Alert.objects.get(item_type=QUICK_ITEM, item_id=need.pk, level=AlertLevel.OVERDUE).stage == "submitted"


def test_claiming_closes_the_claim_windows_alert_and_starts_the_service_window(post, crew):
    need = post()
    watch(T0 + timedelta(minutes=9))
    services.need_claim(actor=crew.a1, need=need, now=T0 + timedelta(minutes=10))
    need.refresh_from_db()
    assert need.due_at == need.starts_at + timedelta(hours=12)
    assert not Alert.objects.filter(item_type=QUICK_ITEM, item_id=need.pk, closed_at=None).exists()
    watch(need.due_at + timedelta(seconds=20))
    assert Alert.objects.filter(item_type=SERVE_ITEM, item_id=need.pk, level=AlertLevel.OVERDUE).exists()


def test_the_next_wave_reaches_the_grid_then_the_community_while_helpers_are_short(post, crew):
    need = post(helpers=3)
    assert told(need) == {crew.a1.pk, crew.a1_far.pk}
    watch(T0 + timedelta(minutes=1))
    assert told(need) == {crew.a1.pk, crew.a1_far.pk}  # not yet: the category waits two minutes between waves
    watch(T0 + timedelta(minutes=2, seconds=10))
    assert told(need) == {crew.a1.pk, crew.a1_far.pk, crew.a2.pk}
    watch(T0 + timedelta(minutes=4, seconds=20))
    assert told(need) == {crew.a1.pk, crew.a1_far.pk, crew.a2.pk, crew.b1.pk}
    watch(T0 + timedelta(minutes=6, seconds=30))
    assert crew.village.pk in told(need)  # the street


def test_a_need_with_enough_helpers_sends_no_further_wave(post, crew):
    need = post(helpers=1)
    services.need_claim(actor=crew.a1, need=need, now=T0 + timedelta(minutes=1))
    watch(T0 + timedelta(minutes=10))
    assert told(need) == {crew.a1.pk, crew.a1_far.pk}


def test_each_volunteer_is_told_of_a_need_once_whatever_the_number_of_scans(post, crew):
    need = post(helpers=5)
    for minute in range(0, 20):
        watch(T0 + timedelta(minutes=minute, seconds=30))
    counts = Message.objects.filter(kind=NEARBY).values_list("recipient_id", "count")
    assert sorted(counts) == sorted((pk, 1) for pk in told(need))
