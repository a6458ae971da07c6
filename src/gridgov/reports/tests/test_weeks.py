"""The reports' weekly totals (``ReportWeek``) the services keep equal a recount of the reports, week by local
week, after filing, resolving in time and late, and reopening; the backfill rebuilds them; the cockpit's reader
takes them in one query."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.reports import selectors, services, totals
from gridgov.reports.models import Category, Report, ReportWeek

SHANGHAI = timezone.get_default_timezone()
# Sunday 29 November 2026, 23:30 in Shanghai (15:30 UTC, so the same UTC day as the Monday after), and the
# Monday that follows, 00:30.
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 30, tzinfo=SHANGHAI)
MONDAY_MORNING = datetime(2026, 11, 30, 0, 30, tzinfo=SHANGHAI)
WEEKS = [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]


def kept(by_category: bool = False) -> dict:
    """The totals kept, per (week, path), or per (week, path, category id)."""
    counts: dict = {}
    for row in ReportWeek.objects.all():
        key = (row.week, row.path, row.category_id) if by_category else (row.week, row.path)
        counts[key] = tuple(map(sum, zip(counts.get(key, (0, 0, 0)), (row.filed, row.resolved, row.on_time))))
    return {key: value for key, value in counts.items() if value != (0, 0, 0)}


def recount(by_category: bool = False) -> dict:
    """The totals counted again from the reports, in Python, with the local Monday worked out by hand."""
    counts: dict = {}
    for report in Report.objects.select_related("node"):
        day = report.created_at.astimezone(SHANGHAI).date()
        key = (day - timedelta(days=day.weekday()), report.node.path)
        key = (*key, report.category_id) if by_category else key
        filed, resolved, on_time = counts.get(key, (0, 0, 0))
        done = report.resolved_at is not None
        counts[key] = (filed + 1, resolved + done, on_time + (done and report.resolved_at <= report.resolution_due_at))
    return counts


def recount_under(node, mondays) -> dict:
    result = {monday: {"filed": 0, "resolved": 0, "on_time": 0} for monday in mondays}
    for (week, path), (filed, resolved, on_time) in recount().items():
        if week in result and path.startswith(node.path):
            for name, value in (("filed", filed), ("resolved", resolved), ("on_time", on_time)):
                result[week][name] += value
    return result


@pytest.fixture
def handled(street, file_report):
    """Across the week boundary: one report filed on Sunday night and resolved in time, one filed on Monday
    morning and resolved late, one reopened after a bad rating (of another category), one left open (in another
    grid)."""
    in_time = file_report(now=SUNDAY_NIGHT)
    services.report_accept(actor=street.worker_a, report=in_time, now=SUNDAY_NIGHT + timedelta(minutes=10))
    services.report_resolve(actor=street.worker_a, report=in_time, resolution="已清理",
                            now=SUNDAY_NIGHT + timedelta(hours=5))
    late = file_report(now=MONDAY_MORNING)
    services.report_accept(actor=street.worker_a, report=late, now=MONDAY_MORNING + timedelta(hours=1))
    services.report_resolve(actor=street.worker_a, report=late, resolution="终于处理",
                            now=MONDAY_MORNING + timedelta(hours=80))
    reopened = file_report(now=MONDAY_MORNING + timedelta(hours=2), category=Category.objects.get(code="safety"))
    services.report_accept(actor=street.worker_a, report=reopened, now=MONDAY_MORNING + timedelta(hours=3))
    services.report_resolve(actor=street.worker_a, report=reopened, resolution="处理了",
                            now=MONDAY_MORNING + timedelta(hours=4))
    services.report_rate(actor=street.resident, report=reopened, rating=1, comment="没解决",
                         now=MONDAY_MORNING + timedelta(hours=6))
    file_report(actor=street.worker_b, node=street.micro_b1, now=MONDAY_MORNING + timedelta(hours=7))
    return street


@pytest.mark.django_db
def test_the_totals_equal_a_recount_across_the_local_week_boundary(handled):
    street = handled
    assert kept() == recount() == {
        (date(2026, 11, 23), street.micro_a1.path): (1, 1, 1),
        (date(2026, 11, 30), street.micro_a1.path): (2, 1, 0),  # the late one; the reopened one counts as filed
        (date(2026, 11, 30), street.micro_b1.path): (1, 0, 0),
    }
    assert kept(by_category=True) == recount(by_category=True)
    assert len(kept(by_category=True)) == 4
    for node in (street.street, street.community, street.grid_a, street.grid_b, street.micro_a1, street.village):
        assert selectors.handling_by_week(node=node, mondays=WEEKS) == recount_under(node, WEEKS)


@pytest.mark.django_db
def test_the_categories_of_the_weeks_of_some_mondays(handled):
    street = handled
    rows = selectors.handling_by_category(node=street.street, mondays=WEEKS)
    assert [(row["category__name"], row["filed"], row["resolved"], row["on_time"]) for row in rows] == [
        ("环境卫生", 3, 2, 1), ("安全隐患", 1, 0, 0)]
    assert [row["filed"] for row in selectors.handling_by_category(node=street.street, mondays=WEEKS[-1:])] == [2, 1]
    assert selectors.handling_by_category(node=street.village, mondays=WEEKS) == []


@pytest.mark.django_db
def test_resolving_a_reopened_report_again_counts_it_once(handled):
    street = handled
    reopened = Report.objects.get(reopen_count=1)
    services.report_resolve(actor=street.worker_a, report=reopened, resolution="再处理",
                            now=MONDAY_MORNING + timedelta(hours=8))
    assert kept() == recount()
    assert kept()[(date(2026, 11, 30), street.micro_a1.path)] == (2, 2, 1)


@pytest.mark.django_db
def test_the_cockpits_reader_is_one_query_of_the_totals(handled):
    street = handled
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.handling_by_week(node=street.street, mondays=WEEKS)
    assert len(queries) == 1 and "reports_reportweek" in queries[0]["sql"]
    assert "reports_report\"" not in queries[0]["sql"] and " reports_report " not in queries[0]["sql"]
    assert counts[date(2026, 11, 16)] == {"filed": 0, "resolved": 0, "on_time": 0}
    assert counts[date(2026, 11, 30)] == {"filed": 3, "resolved": 1, "on_time": 0}


@pytest.mark.django_db
def test_a_change_that_moves_no_count_writes_no_total(street, file_report):
    report = file_report(now=MONDAY_MORNING)
    with CaptureQueriesContext(connection) as queries:
        services.report_accept(actor=street.worker_a, report=report, now=MONDAY_MORNING + timedelta(hours=1))
    assert not any("reports_reportweek" in query["sql"] for query in queries)
    assert kept() == {(date(2026, 11, 30), street.micro_a1.path): (1, 0, 0)}


@pytest.mark.django_db
def test_the_fill_rebuilds_from_the_reports_what_the_services_kept(handled):
    before = kept()
    ReportWeek.objects.all().delete()
    assert totals.fill_report_weeks() == 4
    assert kept() == before == recount()
    assert kept(by_category=True) == recount(by_category=True)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_totals_of_existing_reports_and_empties_them_going_back(handled):
    from django.core.management import call_command

    before = kept()
    call_command("migrate", "reports", "0005", verbosity=0)
    assert "reports_reportweek" not in connection.introspection.table_names()
    call_command("migrate", "reports", verbosity=0)
    assert kept() == before == recount()


def test_the_week_of_a_moment_is_its_local_monday():
    assert totals.week_of(SUNDAY_NIGHT) == date(2026, 11, 23)
    assert totals.week_of(MONDAY_MORNING) == date(2026, 11, 30)
    assert SUNDAY_NIGHT.astimezone(UTC).date() == MONDAY_MORNING.astimezone(UTC).date()
