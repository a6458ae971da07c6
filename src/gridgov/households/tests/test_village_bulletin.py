"""红榜村 / 黑榜村: branch records (fulfilling the indices' activities), the weekly bulletin (idempotent per
week), reminders of the lagging branches (a message and a due item that closes on the next upload), refusals."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from gridgov.deadlines.registry import SOURCES
from gridgov.errors import DomainError, PermissionDenied
from gridgov.households import villages
from gridgov.households.engines import BRANCH_ITEM
from gridgov.households.models import BranchRecord, Bulletin, BulletinEntry, Standing
from gridgov.indices.models import ActivityRecord
from gridgov.notifications.models import Message
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)
LATER = timezone.make_aware(datetime(2026, 11, 10, 9, 0))  # the Tuesday after the week


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def upload(street, node, *, held_on=MONDAY, now=None, kind="three_meetings", activity="支委会", **extra):
    return villages.record_upload(actor=street.street_cadre, node=node, kind=kind, activity=activity,
                                  held_on=held_on, attendees=9, minutes="研究冬季防火", now=now or at(MONDAY),
                                  **extra)


def test_a_meeting_record_fulfils_the_indices_activity(street):
    due = ActivityRecord.objects.create(node=street.village, kind="支委会", due_on=date(2026, 11, 25))
    record = upload(street, street.village)
    due.refresh_from_db()
    assert record.on_time and record.activity_id == due.pk and due.held_on == MONDAY
    affairs = upload(street, street.village, kind="affairs", activity="")
    assert affairs.activity_id is None and affairs.activity == ""


def test_a_record_uploaded_late_is_counted_late(street):
    record = upload(street, street.village, now=at(MONDAY + timedelta(days=villages.ON_TIME_DAYS + 1)))
    assert not record.on_time


@pytest.mark.parametrize("change", [
    {"kind": "party"}, {"activity": "茶话会"}, {"attendees": 0}, {"attendees": True}, {"minutes": ""},
    {"held_on": date(2030, 1, 1)},
])
def test_bad_records_are_refused_with_nothing_written(street, change):
    fields = {"actor": street.street_cadre, "node": street.village, "kind": "three_meetings", "activity": "支委会",
              "held_on": MONDAY, "attendees": 9, "minutes": "会议记录", "now": at(MONDAY)} | change
    with pytest.raises(DomainError):
        villages.record_upload(**fields)
    assert not BranchRecord.objects.exists()


def test_records_are_for_villages_in_the_actors_area(street):
    with pytest.raises(DomainError) as refused:
        upload(street, street.grid_a)
    assert refused.value.code == "branch_node"
    with pytest.raises(PermissionDenied):
        villages.record_upload(actor=street.community_cadre, node=street.village, kind="affairs", held_on=MONDAY,
                               attendees=3, minutes="公开", now=at(MONDAY))
    assert not BranchRecord.objects.exists()


def test_the_same_key_uploads_once(street):
    first = upload(street, street.village, idempotency_key="k1")
    again = upload(street, street.village, idempotency_key="k1")
    assert first.pk == again.pk and BranchRecord.objects.count() == 1


def test_the_bulletin_ranks_villages_and_reminds_the_lagging(street):
    upload(street, street.community, now=at(MONDAY + timedelta(days=1)))
    upload(street, street.community, kind="theme_day", activity="", now=at(MONDAY + timedelta(days=2)))
    bulletin, created = villages.bulletin_compute(actor=SYSTEM, street=street.street, week=MONDAY, now=LATER)
    assert created
    entries = {entry.node_id: entry for entry in bulletin.entries.all()}
    community, village = entries[street.community.pk], entries[street.village.pk]
    assert (community.rank, community.on_time, community.score, community.standing) == (
        1, 2, 2 * villages.ON_TIME_POINTS, Standing.RED)
    assert (village.rank, village.score, village.standing, village.state) == (2, 0, Standing.BLACK, "lagging")
    assert village.handler_id == street.village_cadre.pk and village.due_at > LATER
    assert Message.objects.filter(recipient=street.village_cadre, kind=villages.REMINDER_KIND).count() == 1
    assert not Message.objects.filter(recipient=street.community_cadre, kind=villages.REMINDER_KIND).exists()
    # The due item is an open deadline until the branch uploads; then it closes.
    source = SOURCES[BRANCH_ITEM]
    assert BulletinEntry.objects.filter(source.open, due_at__isnull=False).count() == 1
    upload(street, street.village, kind="affairs", activity="", now=LATER)
    village.refresh_from_db()
    assert (village.state, village.due_at) == ("", None)


def test_a_week_is_computed_once(street):
    first, created = villages.bulletin_compute(actor=SYSTEM, street=street.street, week=MONDAY, now=LATER)
    again, created_again = villages.bulletin_compute(actor=SYSTEM, street=street.street,
                                                     week=MONDAY + timedelta(days=3), now=LATER)
    assert created and not created_again and first.pk == again.pk
    assert Bulletin.objects.count() == 1 and BulletinEntry.objects.count() == 2
    assert Message.objects.filter(kind=villages.REMINDER_KIND).count() == 2  # not sent twice
    assert villages.bulletins_due(LATER) == 0


def test_an_unfinished_week_or_a_non_street_is_refused(street):
    with pytest.raises(DomainError):
        villages.bulletin_compute(actor=SYSTEM, street=street.street, week=MONDAY, now=at(MONDAY + timedelta(days=3)))
    with pytest.raises(DomainError):
        villages.bulletin_compute(actor=SYSTEM, street=street.community, week=MONDAY, now=LATER)
    with pytest.raises(PermissionDenied):
        villages.bulletin_compute(actor=street.community_cadre, street=street.street, week=MONDAY, now=LATER)
    assert not Bulletin.objects.exists()


def test_the_deadline_scan_computes_last_weeks_bulletin(street):
    assert villages.bulletins_due(LATER) == 0  # no branch uploads here: no bulletin, no black list
    upload(street, street.village)
    assert villages.bulletins_due(LATER) == 1
    assert Bulletin.objects.get().week == MONDAY


def test_pages_show_the_bulletin_and_take_an_upload(client, street):
    villages.bulletin_compute(actor=SYSTEM, street=street.street, week=MONDAY, now=LATER)
    client.force_login(street.street_cadre.user)
    page = client.get("/households/bulletin/")
    assert page.status_code == 200 and "白岩村" in page.content.decode()
    answer = client.post("/households/branch/", {"village": street.village.code, "kind": "affairs",
                                                 "held_on": "2026-11-02", "attendees": "5", "minutes": "公开"})
    assert answer.status_code == 302 and BranchRecord.objects.count() == 1
    bad = client.post("/households/branch/", {"village": street.grid_a.code, "kind": "affairs",
                                              "held_on": "2026-11-02", "attendees": "5", "minutes": "公开"})
    assert bad.status_code == 400 and BranchRecord.objects.count() == 1
    client.force_login(street.worker_a.user)
    assert client.get("/households/bulletin/").status_code == 403


def test_the_command_computes_each_week_once(street):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("households", "bulletin", "--week", "2026-11-02", stdout=out)
    call_command("households", "bulletin", "--week", "2026-11-04", stdout=out)
    assert Bulletin.objects.count() == 1 and out.getvalue().count("S01") == 0


def test_the_api_uploads_once_and_refuses_out_of_scope(client, street):
    from gridgov.households.tests.test_api import bearer

    headers = bearer(street.street_cadre)
    body = {"village": street.village.code, "kind": "affairs", "held_on": "2026-11-02", "attendees": 4,
            "minutes": "公开"}
    first = client.post("/api/v1/households/branch-records", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="a1", **headers)
    again = client.post("/api/v1/households/branch-records", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="a1", **headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    outside = client.post("/api/v1/households/branch-records", body, content_type="application/json",
                          **bearer(street.community_cadre))
    assert outside.status_code == 404 and BranchRecord.objects.count() == 1
    assert client.get("/api/v1/households/bulletin", **headers).status_code == 404
    villages.bulletin_compute(actor=SYSTEM, street=street.street, week=MONDAY, now=LATER)
    answer = client.get("/api/v1/households/bulletin", **headers).json()
    assert answer["street"] == "S01" and {entry["village"] for entry in answer["entries"]} == {"C01", "V01"}
    assert client.get("/api/v1/households/ranking?month=2026-13", **headers).status_code == 400
    assert client.get("/api/v1/households/board/V01", **headers).json()["red"] == []
