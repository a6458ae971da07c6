"""The province benchmark's builder and timer work at a minuscule size (bench/province.py; the benchmark itself
is not a test and times nothing here)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

import province  # noqa: E402  (bench/ on the path)

pytestmark = pytest.mark.django_db(transaction=True)  # the loader sets PRAGMAs outside a transaction


def test_the_builder_fills_one_street_and_the_timer_reads_a_workers_pages():
    from django.db import connection

    if connection.vendor == "sqlite":
        # The loader switches SQLite's journal off, which needs the only connection to the file; in the whole suite
        # the live server of the browser tests keeps one open ("database is locked"). The PostgreSQL run checks it.
        pytest.skip("the SQLite loader needs the database file to itself")
    size = province.sized(0.0001)
    assert size["streets"] == 1
    built = province.build({**size, "postings": 2000, "reports": 200, "claims": 300})
    counts = built["counts"]
    assert counts["ledger_posting"] == 2000 + 30 and counts["ledger_line"] == 4000 + 60  # and the hours postings
    assert counts["reports_report"] == 200 and counts["tasks_claim"] == 300
    # The cockpit's weeks were filled from the grant lines, as the journal keeps them (every grant pays a person).
    from django.db.models import Sum

    from gridgov.ledger.models import GrantedWeek, Line

    granted = Line.objects.filter(posting__kind="grant", amount__gt=0, account__kind="person").aggregate(n=Sum("amount"))
    assert GrantedWeek.objects.aggregate(n=Sum("points"))["n"] == granted["n"] > 0
    # And the reports' weeks, as the reports' services keep them.
    from gridgov.reports.models import Report, ReportWeek

    kept = ReportWeek.objects.aggregate(filed=Sum("filed"), resolved=Sum("resolved"))
    assert kept == {"filed": 200, "resolved": Report.objects.filter(resolved_at__isnull=False).count()}
    # Volunteers' needs and their hours postings (one a claim served, outside the 2,000 grants), bookings.
    assert counts["volunteers_claim"] == 30 and counts["volunteers_need"] == 31 and counts["bookings_booking"] == 16
    from gridgov.volunteers import totals  # and the service totals the confirmations would have kept

    assert counts["volunteers_servicetotal"] > 0 and totals.mismatches() == []
    assert counts["oversight_auditrecord"] >= 2330  # one per posting and per claim, besides the set-up's own
    # The audit trail's partitions hold the year loaded, and the indexes the loader rebuilt serve them all.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM oversight_auditrecord_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                       "WHERE c.relname LIKE 'oversight_auditrecord%%' AND NOT i.indisvalid")
        assert cursor.fetchone()[0] == 0
    # Last month's index runs, one published per scheme, scoring every organisation (the node schemes).
    from gridgov.indices.models import Run
    from gridgov.indices.schemes import DEFINITIONS

    assert set(built["index_runs"]) == {definition["code"] for definition in DEFINITIONS}
    assert Run.objects.filter(state="published").count() == len(DEFINITIONS) and counts["indices_score"] > 0
    # The people built hold no roles: the person schemes score only role holders (none here).
    assert all(built["index_runs"][definition["code"]][0] > 0 for definition in DEFINITIONS
               if definition["entity_kind"] == "node")

    from django.test import Client

    made, _nodes = province.people("S01")
    worker, _token = made["grid_worker"]
    client = Client()
    client.force_login(worker.user)
    result = province.timed_url(client, "/tasks/mine/", 1, {})
    assert result["status"] == 200 and result["queries"] > 0 and result["p99_ms"] > 0
