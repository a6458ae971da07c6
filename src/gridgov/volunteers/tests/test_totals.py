"""The volunteers' service totals: kept by the confirmation in local time (a year's last evening and the next
year's first night), equal to what the claims sum to (the set-based fill rebuilds them, ``verify`` finds a row
that differs), and the ranking and the yearly rule read them with the results of the claims, in pinned
queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from gridgov.ledger.selectors import hours_credited
from gridgov.volunteers import selectors, services, totals
from gridgov.volunteers.models import ServiceTotal
from gridgov.volunteers.tests.conftest import T0, served

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERYWHERE = ServiceTotal.EVERYWHERE


def kept(node_id, period, person):
    return (ServiceTotal.objects.filter(node_id=node_id, period=period, person=person)
            .values_list("minutes", "services", "rated", "stars").first())


def confirmed(post, street, helpers, *, start, minutes, rating=None, title="服务"):
    need = served(post(title=title, now=start - timedelta(hours=1), starts_at=start, helpers=len(helpers)), helpers,
                  start=start, minutes=minutes)
    services.need_confirm(actor=street.resident, need=need, rating=rating)
    return need


def test_a_service_counts_in_the_local_year_and_month_of_its_check_in_at_each_ranking_level(post, crew, street):
    last_evening = datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC: 2025 either way
    first_night = datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI)  # 16:30 UTC on 31 December: 2026 only locally
    confirmed(post, street, [crew.a1], start=last_evening, minutes=60, rating=4, title="跨年前")
    confirmed(post, street, [crew.a1, crew.b1], start=first_night, minutes=30, title="跨年后")
    a1, b1 = crew.a1, crew.b1
    assert kept(EVERYWHERE, "2025", a1) == kept(EVERYWHERE, "2025-12", a1) == (60, 1, 1, 4)
    assert kept(EVERYWHERE, "2026", a1) == kept(EVERYWHERE, "2026-01", a1) == (30, 1, 0, 0)
    for level in (street.street, street.community, street.grid_a):  # the need is at micro-grid A1
        assert kept(level.pk, "2025", a1) == (60, 1, 1, 4) and kept(level.pk, "2026-01", a1) == (30, 1, 0, 0)
    assert kept(street.grid_a.pk, "2026", b1) == (30, 1, 0, 0)  # served in grid A, registered in grid B
    assert kept(street.grid_b.pk, "2026", b1) is None and kept(street.micro_a1.pk, "2026", a1) is None
    assert totals.mismatches() == []
    assert hours_credited(person_ids=[a1.pk], year=2025) == {a1.pk: 60}  # what the ledger credited, likewise
    assert hours_credited(person_ids=[a1.pk], year=2026) == {a1.pk: 30}
    standing = {row.person_id: row.minutes for row in selectors.standings(node=street.community, year=2026)}
    assert standing[a1.pk] == 30 and standing[b1.pk] == 30 and standing[crew.a2.pk] == 0


def test_the_set_based_fill_rebuilds_what_the_confirmations_kept_and_verify_finds_a_row_that_differs(
        post, crew, street, capsys):
    confirmed(post, street, [crew.a1, crew.a2], start=datetime(2025, 12, 31, 23, 50, tzinfo=SHANGHAI),
              minutes=40, rating=5, title="一")
    confirmed(post, street, [crew.a1], start=T0 + timedelta(hours=2), minutes=90, title="二")
    confirmed(post, street, [crew.village], start=T0 + timedelta(days=3), minutes=15, rating=3, title="三")
    columns = ("node_id", "period", "person_id", *totals.COLUMNS[3:])
    before = sorted(ServiceTotal.objects.values_list(*columns))
    assert len(before) == (3 + 2 + 2) * 4  # a1: 2025, 2025-06, 2025-12; a2 and the village's: two periods; × (the
    # street, community, grid and everywhere)
    assert totals.fill() == len(before)
    assert sorted(ServiceTotal.objects.values_list(*columns)) == before
    call_command("volunteers", "verify")
    assert capsys.readouterr().out.strip() in ("服务累计与已确认的认领一致。", "The service totals equal the confirmed claims.")
    ServiceTotal.objects.filter(node_id=street.street.pk, period="2025", person=crew.a1).update(minutes=F("minutes") + 1)
    ServiceTotal.objects.filter(node_id=EVERYWHERE, period="2025-06", person=crew.village).delete()
    wrong = totals.mismatches()
    assert wrong == [(EVERYWHERE, "2025-06", crew.village.pk, None, (15, 1, 1, 3)),
                     (street.street.pk, "2025", crew.a1.pk, (131, 2, 1, 5), (130, 2, 1, 5))]
    with pytest.raises(CommandError):
        call_command("volunteers", "verify")


@pytest.fixture
def season(post, crew, street):
    """Services over three months of 2025 in both communities of the street, rated and not, with ties."""
    plan = [([crew.a1], 0, 120, 3), ([crew.a2], 1, 120, None), ([crew.b1], 2, 60, 5), ([crew.a1, crew.b1], 5, 45, 4),
            ([crew.village], 6, 120, 3), ([crew.a2], 35, 200, 5), ([crew.a1], 40, 30, None), ([crew.b1], 70, 90, 2)]
    for index, (helpers, day, minutes, rating) in enumerate(plan):
        confirmed(post, street, helpers, start=T0 + timedelta(days=day, hours=2), minutes=minutes, rating=rating,
                  title=f"服务{index}")


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize("by", ["person", "node"])
@pytest.mark.parametrize("order", ["hours", "rating"])
def test_the_ranking_from_the_totals_is_the_ranking_from_the_claims(season, street, monkeypatch, period, by, order):
    for node in (street.street, street.community, street.grid_a):
        for day in (T0.date(), (T0 + timedelta(days=35)).date()):
            since, until = selectors.period_bounds(period, day)
            with CaptureQueriesContext(connection) as read:
                from_totals = selectors.ranking(node=node, since=since, until=until, by=by, order=order)
            assert all("volunteers_servicetotal" in query["sql"] for query in read.captured_queries[:1])
            assert len(read.captured_queries) == (2 if by == "node" and from_totals else 1)
            with monkeypatch.context() as patched:
                patched.setattr(selectors.totals, "is_level", lambda node: False)
                from_claims = selectors.ranking(node=node, since=since, until=until, by=by, order=order)
            assert from_totals == from_claims
            if node == street.street and by == "person" and period == "year":
                assert len(from_totals) == 4  # who served; 志愿者乙 did not


def test_the_yearly_rule_reads_one_query_whatever_the_number_of_volunteers(season, crew, street,
                                                                          django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(selectors.standings(node=street.street, year=2025))  # lazy: read once, in one query
    assert {row.person_id: row.minutes for row in rows} == {
        crew.a1.pk: 195, crew.a1_far.pk: 0, crew.a2.pk: 320, crew.b1.pk: 195, crew.village.pk: 120}
    assert [row.person_id for row in rows if row.short] == [crew.a1.pk, crew.a2.pk]  # the party members below 12 h
    assert hours_credited(person_ids=[row.person_id for row in rows], year=2025) == {
        row.person_id: row.minutes for row in rows if row.minutes}


def test_periods_that_are_not_whole_months_or_a_year_read_the_claims():
    zone = SHANGHAI
    assert selectors.kept_periods(datetime(2025, 1, 1, tzinfo=zone), datetime(2026, 1, 1, tzinfo=zone)) == ["2025"]
    assert selectors.kept_periods(datetime(2025, 4, 1, tzinfo=zone), datetime(2025, 7, 1, tzinfo=zone)) == [
        "2025-04", "2025-05", "2025-06"]
    assert selectors.kept_periods(datetime(2025, 12, 1, tzinfo=zone), datetime(2026, 1, 1, tzinfo=zone)) == [
        "2025-12"]
    assert selectors.kept_periods(datetime(2025, 4, 2, tzinfo=zone), datetime(2025, 7, 1, tzinfo=zone)) is None
    assert selectors.kept_periods(datetime(2025, 4, 1, tzinfo=zone), datetime(2025, 6, 15, tzinfo=zone)) is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_totals_from_the_claims_already_confirmed_and_goes_back(post, crew, street):
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([("volunteers", target)])

    confirmed(post, street, [crew.a1, crew.b1], start=datetime(2025, 12, 31, 23, 40, tzinfo=SHANGHAI), minutes=50,
              rating=4, title="一")
    confirmed(post, street, [crew.village], start=T0 + timedelta(hours=2), minutes=70, title="二")
    columns = ("node_id", "period", "person_id", *totals.COLUMNS[3:])
    before = sorted(ServiceTotal.objects.values_list(*columns))
    migrate("0004_callout_answer_centre")
    assert ServiceTotal._meta.db_table not in connection.introspection.table_names()
    migrate("0005_service_totals")
    assert sorted(ServiceTotal.objects.values_list(*columns)) == before and len(before) == 3 * 2 * 4


def test_the_hours_of_a_confirmed_service_cannot_be_reversed_in_the_ledger_behind_the_totals(post, crew, street):
    from gridgov.ledger.errors import LedgerRefusal
    from gridgov.ledger.models import Posting, PostingKind
    from gridgov.ledger.services import reverse_posting

    confirmed(post, street, [crew.a1], start=T0 + timedelta(days=1), minutes=45, title="陪诊")
    credited = Posting.objects.get(kind=PostingKind.HOURS)
    with pytest.raises(LedgerRefusal) as refused:
        reverse_posting(actor=street.street_cadre, posting=credited, reason="录错了", idempotency_key="rev-hours")
    assert refused.value.code == "invalid_posting"
    assert not Posting.objects.filter(kind=PostingKind.REVERSAL).exists() and totals.mismatches() == []
