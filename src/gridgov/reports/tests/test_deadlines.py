from datetime import timedelta

import pytest
from django.core.management import call_command

from gridgov.deadlines import scan
from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.registry import GRACE, SOURCES
from gridgov.deadlines.selectors import alerts_for
from gridgov.reports import selectors, services
from gridgov.reports.models import ReportState
from gridgov.reports.tests.conftest import T0

HOUR = timedelta(hours=1)


def open_alerts(report):
    return sorted(Alert.objects.filter(item_type="report", item_id=report.pk, closed_at=None)
                  .values_list("level", "recipient__name"))


def test_nothing_is_raised_before_the_due_soon_window(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 19 * HOUR)
    assert open_alerts(report) == []


def test_due_soon_alert_goes_to_the_handler(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 21 * HOUR)  # accept-by is T0 + 24 h
    assert open_alerts(report) == [(AlertLevel.DUE_SOON, "刘网格")]


def test_overdue_alert_replaces_due_soon_and_a_second_scan_adds_nothing(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 21 * HOUR)
    scan.scan_deadlines(now=T0 + 25 * HOUR)
    scan.scan_deadlines(now=T0 + 25 * HOUR + 5 * timedelta(minutes=1))
    assert open_alerts(report) == [(AlertLevel.OVERDUE, "刘网格")]
    assert Alert.objects.filter(item_id=report.pk, level=AlertLevel.OVERDUE).count() == 1


def test_after_the_grace_period_the_cadre_above_and_the_supervisor_are_alerted(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 25 * HOUR)
    scan.scan_deadlines(now=T0 + 24 * HOUR + GRACE + HOUR)
    assert open_alerts(report) == [(AlertLevel.OVERDUE, "刘网格"), (AlertLevel.ESCALATED, "李社区")]
    assert [a.level for a in alerts_for(person=street.supervisor)] == [AlertLevel.ESCALATED]
    assert alerts_for(person=street.worker_b).count() == 0


def test_a_scan_that_missed_the_first_level_raises_both_at_once(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 72 * HOUR)
    assert [level for level, _name in open_alerts(report)] == [AlertLevel.OVERDUE, AlertLevel.ESCALATED]


def test_alerts_close_when_the_report_moves_and_the_next_deadline_alerts_afresh(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 25 * HOUR)
    services.report_accept(actor=street.worker_a, report=report, now=T0 + 26 * HOUR)
    assert open_alerts(report) == []
    assert Alert.objects.filter(item_id=report.pk).exclude(closed_at=None).count() == 1
    scan.scan_deadlines(now=T0 + 73 * HOUR)  # resolve-by was T0 + 72 h
    assert open_alerts(report) == [(AlertLevel.OVERDUE, "刘网格")]


def test_the_scan_closes_alerts_left_open_by_a_change_made_elsewhere(street, file_report):
    report = file_report()
    scan.scan_deadlines(now=T0 + 25 * HOUR)
    type(report).objects.filter(pk=report.pk).update(state=ReportState.ACCEPTED, due_at=T0 + 72 * HOUR)
    result = scan.scan_deadlines(now=T0 + 26 * HOUR)
    assert result.closed == 1 and open_alerts(report) == []


def test_resolved_report_left_unrated_closes_itself_and_earns_points(street, file_report, budget):
    report = file_report()
    services.report_accept(actor=street.worker_a, report=report, now=T0)
    services.report_resolve(actor=street.worker_a, report=report, resolution="已清理", now=T0 + HOUR)
    scan.scan_deadlines(now=T0 + 6 * 24 * HOUR)
    report.refresh_from_db()
    assert report.state == ReportState.RESOLVED
    result = scan.scan_deadlines(now=T0 + 8 * 24 * HOUR)
    report.refresh_from_db()
    assert result.followed_up["report"] == 1 and report.state == ReportState.CLOSED and report.posting_id


def test_escalated_report_alerts_the_street_cadre_above_the_community_cadre(street, file_report):
    report = services.report_escalate(actor=street.worker_a, report=file_report(), now=T0)
    scan.scan_deadlines(now=T0 + 72 * HOUR)
    assert open_alerts(report) == [(AlertLevel.OVERDUE, "李社区"), (AlertLevel.ESCALATED, "王街道")]


def test_the_late_query_is_one_query_whatever_the_number_of_reports(street, file_report, django_assert_num_queries):
    for _ in range(5):
        file_report()
    with django_assert_num_queries(1):
        rows = list(scan.late_query(SOURCES["report"], T0 + 25 * HOUR).values_list("pk", "needed"))
    assert [needed for _pk, needed in rows] == [AlertLevel.OVERDUE] * 5


def test_command_and_task_run_the_scan(street, file_report, capsys):
    report = file_report()
    call_command("deadlines", "scan", "--now", (T0 + 25 * HOUR).isoformat())
    assert open_alerts(report) == [(AlertLevel.OVERDUE, "刘网格")]
    from gridgov.deadlines.jobs import scan_deadlines_job

    result = scan_deadlines_job.enqueue()
    assert result.return_value["raised"]["report"] >= 0


# ---------------------------------------------------------------- task claims


@pytest.fixture
def late_claim(street):
    from gridgov.tasks import services as task_services
    from gridgov.tasks.models import WorkType

    task = task_services.task_publish(
        actor=street.community_cadre, node=street.community, title="消防巡查", work_type=WorkType.objects.first(),
        points=10, places=2, deadline=T0 + 48 * HOUR, requires_photo=False, now=T0)
    return task_services.task_claim(actor=street.worker_a, task=task, now=T0 + HOUR)


def test_claim_not_handed_in_by_the_deadline_alerts_the_worker_then_the_community_cadre(street, late_claim):
    scan.scan_deadlines(now=T0 + 49 * HOUR)
    alerts = Alert.objects.filter(item_type="claim", item_id=late_claim.pk, closed_at=None)
    assert list(alerts.values_list("level", "recipient__name")) == [(AlertLevel.OVERDUE, "刘网格")]
    scan.scan_deadlines(now=T0 + 48 * HOUR + GRACE + HOUR)
    assert sorted(alerts.values_list("level", "recipient__name")) == [
        (AlertLevel.OVERDUE, "刘网格"), (AlertLevel.ESCALATED, "李社区")]


def test_claim_alerts_close_when_the_claim_moves(street, late_claim):
    from gridgov.tasks import services as task_services

    scan.scan_deadlines(now=T0 + 49 * HOUR)
    assert task_services.claims_expire(now=T0 + 50 * HOUR) == 1
    scan.scan_deadlines(now=T0 + 50 * HOUR)
    assert not Alert.objects.filter(item_type="claim", closed_at=None).exists()


def test_overdue_by_level_counts_and_average_handling_time(street, file_report):
    done = file_report()
    services.report_accept(actor=street.worker_a, report=done, now=T0)
    services.report_resolve(actor=street.worker_a, report=done, resolution="好", now=T0 + 10 * HOUR)
    file_report()
    escalated = services.report_escalate(actor=street.worker_a, report=file_report(), now=T0)
    rows = selectors.overdue_by_level(node=street.street, now=T0 + 30 * HOUR)
    assert [(row["open"], row["overdue"]) for row in rows] == [(1, 1), (1, 1), (0, 0)]
    assert rows[0]["average_hours"] == 10.0
    assert escalated.escalation == 1


def test_the_average_handling_time_is_of_the_reports_resolved_in_the_last_ninety_days(street, file_report):
    def resolved(at, hours):
        report = file_report(now=at)
        services.report_accept(actor=street.worker_a, report=report, now=at)
        return services.report_resolve(actor=street.worker_a, report=report, resolution="好", now=at + hours * HOUR)

    now = T0 + timedelta(days=200)
    resolved(T0, 100)  # resolved 196 days before now: not the area's pace now
    resolved(now - timedelta(days=10), 4)
    resolved(now - timedelta(days=89), 8)
    assert selectors.average_handling_hours(node=street.street, now=now) == {0: 6.0}
    assert selectors.average_handling_hours(node=street.village, now=now) == {}
    assert selectors.overdue_by_level(node=street.street, now=now)[0]["average_hours"] == 6.0


@pytest.mark.parametrize("sort_at_most", [0, 5_000], ids=["walked", "sorted"])
def test_the_overdue_list_is_the_areas_open_late_reports_the_longest_overdue_first(street, file_report, sort_at_most,
                                                                                    monkeypatch):
    from gridgov import sql

    monkeypatch.setattr(sql.area_first, "__kwdefaults__", {"sort_at_most": sort_at_most, "to_sort": None})
    first, second = file_report(now=T0), file_report(now=T0 + HOUR)
    file_report(now=T0 + 100 * HOUR)  # not yet due
    done = file_report(now=T0)
    services.report_accept(actor=street.worker_a, report=done, now=T0)
    services.report_resolve(actor=street.worker_a, report=done, resolution="好", now=T0 + HOUR)
    now = T0 + 90 * HOUR
    assert list(selectors.overdue_reports_under(node=street.street, now=now)) == [first, second]
    assert list(selectors.overdue_reports_under(node=street.grid_a, now=now)) == [first, second]
    assert list(selectors.overdue_reports_under(node=street.village, now=now)) == []


def publish_and_claim(street, *, deadline, title="消防巡查"):
    from gridgov.tasks import services as task_services
    from gridgov.tasks.models import WorkType

    task = task_services.task_publish(
        actor=street.community_cadre, node=street.community, title=title, work_type=WorkType.objects.first(),
        points=10, places=2, deadline=deadline, requires_photo=False, now=T0)
    return task_services.task_claim(actor=street.worker_a, task=task, now=T0 + HOUR)


def test_scan_finds_the_overdue_claim_and_not_the_fresh_one(street):
    overdue = publish_and_claim(street, deadline=T0 + 10 * HOUR)
    fresh = publish_and_claim(street, deadline=T0 + 10 * 24 * HOUR)
    now = T0 + 12 * HOUR
    assert [claim.pk for claim in scan.late_query(SOURCES["claim"], now)] == [overdue.pk]
    scan.scan_deadlines(now=now)
    alerted = set(Alert.objects.filter(item_type="claim", closed_at=None).values_list("item_id", flat=True))
    assert overdue.pk in alerted and fresh.pk not in alerted


def test_claim_waiting_for_evaluation_alerts_the_evaluator_when_late(street):
    from gridgov.tasks import services as task_services
    from gridgov.tasks.selectors import EVALUATE_WITHIN_DAYS

    claim = publish_and_claim(street, deadline=T0 + 10 * 24 * HOUR)
    task_services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕", now=T0 + 2 * HOUR)
    scan.scan_deadlines(now=T0 + 3 * HOUR + timedelta(days=EVALUATE_WITHIN_DAYS))
    alerts = Alert.objects.filter(item_type="claim", item_id=claim.pk, closed_at=None)
    assert list(alerts.values_list("level", "stage", "recipient__name")) == [
        (AlertLevel.OVERDUE, "submitted", "李社区")]


def test_claim_scan_runs_the_same_number_of_queries_however_many_claims_are_late(street):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_scan(count, now):
        for index in range(count):
            publish_and_claim(street, deadline=T0 + 10 * HOUR, title=f"巡查{now.day}-{index}")
        with CaptureQueriesContext(connection) as captured:
            result = scan.scan_deadlines(now=now)
        assert result.raised["claim"] == count
        return len(captured)

    few = queries_to_scan(1, T0 + 12 * HOUR)
    Alert.objects.all().delete()
    from gridgov.tasks.models import Claim

    Claim.objects.update(due_at=None)  # the first batch is out of the way
    # A later scan: one of the same moment would fold its messages into the first scan's instead of writing them.
    many = queries_to_scan(6, T0 + 12 * HOUR + timedelta(minutes=5))
    assert many == few
