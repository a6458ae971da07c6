"""Bench: time the deadline scan's queries over 1,000,000 open reports and 1,000,000 open task claims
(goal: < 1 s per query), and print their query plans to show the partial due-time indexes are used.

    .venv/bin/python bench/deadlines.py                        # SQLite in a temporary directory, 1,000,000 each
    .venv/bin/python bench/deadlines.py --reports 200000 --claims 200000
    .venv/bin/python bench/deadlines.py --quick                # 20,000 each, a few seconds
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything .venv/bin/python bench/deadlines.py
                                                               # PostgreSQL: a throwaway <name>_bench_<pid> database

Inserts ``--reports`` open reports and ``--claims`` open claims (one INSERT … SELECT each, due times spread over the
next 30 days, 0.1 % of them late and not yet alerted; claims spread over claimed / submitted / evaluated, with
``due_at`` as ``tasks.workflow.due_time`` sets it), then times each registered source's late query (``gridgov.deadlines.scan.late_query``, what
each five-minute scan runs), the cadre's overdue list (``tasks.selectors.overdue_for``, first 200 rows), a first
full scan (raises the alerts) and a steady-state one. The database is a fresh one, dropped afterwards.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import throwaway_database  # noqa: E402  (bench/ is on the path when run)

MINUTES_IN_30_DAYS = 60 * 24 * 30
WORKERS = 100  # a worker holds one active claim per task: claims = tasks × workers


def timed(label, function, repeat=3):
    for _attempt in range(repeat):
        started = time.perf_counter()
        rows = function()
        print(f"  {label}: {len(rows)} rows in {time.perf_counter() - started:.3f} s")


def explain(label, queryset):
    from django.db import connection

    print(f"  query plan of {label} ({connection.vendor}):")
    for line in queryset.explain().splitlines():
        print(f"    {line}")


def minutes_from(now, expression: str) -> str:
    """SQL for ``now`` + ``expression`` minutes, stored as Django stores datetimes on this database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(TIMESTAMPTZ '{now.isoformat()}' + ({expression}) * INTERVAL '1 minute')"
    utc = now.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return f"strftime('%Y-%m-%d %H:%M:%S', '{utc}', ({expression}) || ' minutes')"  # as str(datetime)


def clone(model, template_pk: int, count: int, overrides: dict) -> None:
    """One INSERT … SELECT: ``count`` copies of a template row, the ``overrides`` columns computed in SQL from
    ``n`` (0 … count-1). Seconds for a million rows where ``bulk_create`` takes minutes."""
    from django.db import connection

    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields if not field.primary_key]
    values = ", ".join(overrides.get(column, f'template."{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    if connection.vendor == "postgresql":
        numbers, prefix = f"generate_series(0, {count - 1}) AS seq(n)", ""
    else:
        numbers = "seq"
        prefix = f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {count - 1}) "
    with connection.cursor() as cursor:
        cursor.execute(f'{prefix}INSERT INTO "{table}" ({names}) SELECT {values} FROM "{table}" AS template, '
                       f"{numbers} WHERE template.id = {int(template_pk)}")


def contiguous(queryset, count: int) -> int:
    """The first id of ``count`` rows just inserted in one statement (their ids are consecutive)."""
    from django.db.models import Max, Min

    bounds = queryset.aggregate(first=Min("pk"), last=Max("pk"))
    assert bounds["last"] - bounds["first"] + 1 == count == queryset.count(), bounds
    return bounds["first"]


def insert_reports(street, count, now):
    """Open reports, due over the next 30 days, every 1000th 2 h late."""
    from gridgov.reports.models import Category, Report

    category = Category.objects.get(code="environment")
    template = Report.objects.create(reporter=street.resident, node=street.micro_a1, category=category, text="bench",
                                     handler=street.worker_a, response_due_at=now, resolution_due_at=now,
                                     due_at=None, created_at=now - timedelta(days=1))
    due = minutes_from(now, f"CASE WHEN n % 1000 = 0 THEN -120 ELSE 5 + n % {MINUTES_IN_30_DAYS} END")
    clone(Report, template.pk, count, {"due_at": due, "response_due_at": due, "resolution_due_at": due})


def insert_claims(street, count, now):
    """``count`` open claims by ``WORKERS`` bench workers on ``count / WORKERS`` tasks, a third each claimed,
    submitted, evaluated; ``due_at`` as ``tasks.workflow.due_time`` sets it (task deadline / submitted +
    evaluation days / evaluated + audit days); every 1000th 2 h late."""
    from gridgov.orgs.models import Person
    from gridgov.tasks.models import Claim, ClaimState, Task, WorkType
    from gridgov.tasks.workflow import AUDIT_WITHIN_DAYS, EVALUATE_WITHIN_DAYS

    Person.objects.bulk_create(Person(name=f"压测网格员{index}", name_initials="YCWGY") for index in range(WORKERS))
    first_worker = contiguous(Person.objects.filter(name__startswith="压测网格员"), WORKERS)
    task_count = -(-count // WORKERS)
    template_task = Task.objects.create(
        node=street.community, title="压测任务", work_type=WorkType.objects.first(), points=10, places=WORKERS,
        claimed_count=WORKERS, deadline=now, requires_photo=False, created_at=now - timedelta(days=1))
    deadline_of = f"5 + (({{task}}) * 37) % {MINUTES_IN_30_DAYS}"
    clone(Task, template_task.pk, task_count, {"deadline": minutes_from(now, deadline_of.format(task="n"))})
    first_task = contiguous(Task.objects.filter(pk__gt=template_task.pk), task_count)
    template = Claim.objects.create(task=template_task, worker=street.worker_a, node=street.grid_a,
                                    state=ClaimState.RELEASED, claimed_at=now - timedelta(days=5), due_at=None)
    evaluate = EVALUATE_WITHIN_DAYS * 24 * 60
    audit = AUDIT_WITHIN_DAYS * 24 * 60
    claimed = "n % 3 = 0 AND n % 1000 <> 7"
    evaluated = "n % 3 = 2"
    offset = f"CASE WHEN n % 1000 = 7 THEN -120 ELSE 5 + (n * 13) % {MINUTES_IN_30_DAYS} END"
    clone(Claim, template.pk, count, {
        "task_id": f"{first_task} + n / {WORKERS}",
        "worker_id": f"{first_worker} + n % {WORKERS}",
        "state": f"CASE WHEN {claimed} THEN 'claimed' WHEN {evaluated} THEN 'evaluated' ELSE 'submitted' END",
        "due_at": f"CASE WHEN {claimed} THEN {minutes_from(now, deadline_of.format(task=f'n / {WORKERS}'))} "
                  f"ELSE {minutes_from(now, offset)} END",
        "submitted_at": f"CASE WHEN {claimed} THEN NULL WHEN {evaluated} "
                        f"THEN {minutes_from(now, f'({offset}) - {audit} - 60')} "
                        f"ELSE {minutes_from(now, f'({offset}) - {evaluate}')} END",
        "evaluated_at": f"CASE WHEN {evaluated} THEN {minutes_from(now, f'({offset}) - {audit}')} ELSE NULL END",
        "evaluator_id": f"CASE WHEN {evaluated} THEN {street.community_cadre.pk} ELSE NULL END",
    })


def check_due_times(sample: int = 2000) -> None:
    """The inserted rows are what the workflow would store: ``due_at == workflow.due_time(claim)``."""
    from gridgov.tasks.models import Claim
    from gridgov.tasks.workflow import due_time

    claims = Claim.objects.filter(due_at__isnull=False).select_related("task").order_by("?")[:sample]
    wrong = [claim.pk for claim in claims if claim.due_at != due_time(claim)]
    assert not wrong, f"claims whose due_at is not workflow.due_time: {wrong[:5]}"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main(report_count: int, claim_count: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from gridgov.deadlines import scan as deadlines
    from gridgov.deadlines.models import Alert
    from gridgov.deadlines.registry import SOURCES
    from gridgov.reports.models import Report
    from gridgov.tasks.models import Claim
    from gridgov.tasks.selectors import overdue_for
    from gridgov.testing.factories import Street

    street = Street()
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    insert_reports(street, report_count, now)
    print(f"inserted {report_count} open reports in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    insert_claims(street, claim_count, now)
    print(f"inserted {claim_count} open claims in {time.perf_counter() - started:.1f} s")
    check_due_times()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_report")
            cursor.execute("ANALYZE tasks_claim")
            cursor.execute("ANALYZE tasks_task")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(f"reports ({Report.objects.filter(due_at__isnull=False).count()} open):")
    reports = deadlines.late_query(SOURCES["report"], now)
    explain("late_reports_query", reports.values_list("pk", "needed"))
    timed("late_reports_query", lambda: list(reports.values_list("pk", "needed")))
    timed("late_reports_query, scan's columns", lambda: list(deadlines._late_rows(SOURCES["report"], now)))

    print(f"claims ({Claim.objects.filter(due_at__isnull=False).count()} open):")
    claims = deadlines.late_query(SOURCES["claim"], now)
    explain("late_claims_query", claims.values_list("pk", "needed"))
    timed("late_claims_query", lambda: list(claims.values_list("pk", "needed")))
    timed("late_claims_query, scan's columns", lambda: list(deadlines._late_rows(SOURCES["claim"], now)))
    overdue = overdue_for(person=street.community_cadre, now=now)
    explain("overdue_for (community cadre)", overdue[:200])
    timed("overdue_for, first 200", lambda: list(overdue[:200]))

    started = time.perf_counter()
    result = deadlines.scan_deadlines(now=now)
    print(f"first full scan: {deadlines.describe(result)} in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    result = deadlines.scan_deadlines(now=now)
    print(f"second (steady-state) scan: {deadlines.describe(result)} in {time.perf_counter() - started:.3f} s")
    timed("late_reports_query after the scan", lambda: list(reports.values_list("pk", "needed")), repeat=1)
    timed("late_claims_query after the scan", lambda: list(claims.values_list("pk", "needed")), repeat=1)
    print(f"open alerts: {Alert.objects.filter(closed_at=None).count()}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1_000_000, help="open reports (default 1,000,000)")
    parser.add_argument("--claims", type=int, default=1_000_000, help="open task claims (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="20,000 of each, a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.reports = args.claims = 20_000
    if args.reports < 1 or args.claims < WORKERS:
        parser.error(f"--reports must be positive and --claims at least {WORKERS}")
    return args


if __name__ == "__main__":
    arguments = parse_args()
    where, cleanup = throwaway_database("gg-bench-deadlines-")
    try:
        print(f"deadline scan · {where}")
        setup_django()
        main(arguments.reports, arguments.claims)
    finally:
        cleanup()
