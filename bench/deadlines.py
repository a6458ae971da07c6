"""Bench: time the deadline scan's query over 1,000,000 open reports (goal: < 1 s).

    GRIDGOV_DATA_DIR=/tmp/gg-bench GRIDGOV_DATABASE_URL=postgres://... python bench/deadlines.py [count]

Inserts ``count`` open reports (bulk, deadlines spread over ±30 days, 0.1 % of them late and not yet
alerted), then times ``late_reports_query`` (what each five-minute scan runs) and a full scan.
Uses its own database: run it against a scratch one.
"""

import os
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from gridgov.orgs.permissions import SYSTEM  # noqa: E402
from gridgov.reports import deadlines  # noqa: E402
from gridgov.reports.models import Alert, Category, Report  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    from gridgov.testing.factories import Street

    street = Street()
    category = Category.objects.get(code="environment")
    now = timezone.now()
    batch = []
    started = time.perf_counter()
    for index in range(count):
        late = index % 1000 == 0
        due = now - timedelta(hours=2) if late else now + timedelta(minutes=5 + index % (60 * 24 * 30))
        batch.append(Report(reporter=street.resident, node=street.micro_a1, category=category, text="bench",
                            handler=street.worker_a, response_due_at=due, resolution_due_at=due + timedelta(days=3),
                            due_at=due, created_at=now - timedelta(days=1)))
        if len(batch) == 20_000:
            Report.objects.bulk_create(batch)
            batch = []
    Report.objects.bulk_create(batch)
    print(f"inserted {count} open reports in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_report")
    for attempt in range(3):
        started = time.perf_counter()
        rows = list(deadlines.late_reports_query(now).values_list("pk", "needed"))
        print(f"late-items query: {len(rows)} rows in {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    result = deadlines.scan_deadlines(now=now)
    print(f"first full scan: {deadlines.describe(result)} in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    result = deadlines.scan_deadlines(now=now)
    print(f"second (steady-state) scan: {deadlines.describe(result)} in {time.perf_counter() - started:.3f} s")
    print(f"open alerts: {Alert.objects.filter(closed_at=None).count()}")
    assert SYSTEM


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
