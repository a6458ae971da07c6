"""Real threads against PostgreSQL: reports of one week and node filed and resolved at once all count in the
weekly totals (one row, created by whichever writer comes first; the other adds to it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.reports import services
from gridgov.reports.models import Category, Report, ReportWeek
from gridgov.reports.tests.test_weeks import kept, recount
from gridgov.testing.concurrency import race, skip_unless_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    skip_unless_postgres()


def test_reports_filed_and_resolved_at_once_all_count_in_their_week(street):
    environment = Category.objects.get(code="environment")
    now = timezone.now()
    filers = [street.resident, street.worker_a, street.resident, street.worker_a, street.worker_b, street.worker_b]
    nodes = [street.micro_a1, street.micro_a1, street.micro_a1, street.micro_a1, street.micro_b1, street.micro_b1]
    assert not ReportWeek.objects.exists()  # the first two writers of a row race to create it
    results = race(6, lambda i: services.report_file(actor=filers[i], node=nodes[i], category=environment,
                                                     text=f"第{i}件", now=now))
    assert all(isinstance(result, Report) for result in results)
    assert kept() == recount()
    assert sum(filed for filed, _resolved, _on_time in kept().values()) == 6
    for report in results:
        services.report_accept(actor=report.handler, report=report, now=now + timedelta(minutes=1))
    done = race(6, lambda i: services.report_resolve(actor=results[i].handler, report=results[i], resolution="已处理",
                                                     now=now + timedelta(hours=1 if i % 2 else 100)))
    assert all(isinstance(result, Report) for result in done)
    assert kept() == recount()
    assert sorted(kept().values()) == [(2, 2, 1), (4, 4, 2)]
