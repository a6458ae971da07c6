"""An area's reads stay index-bound on a province-shaped database (issue 18, what bench/province.py found).

PostgreSQL only: the planner's choice is what is checked. A county of two streets is built with the province
bench's loader, the second street holding about 2 % of the people, reports, claims and grants; after
``VACUUM ANALYZE`` the plan of every query a community of that street reads for its cadres must not read a big
table sequentially (a sequential scan there grows with the province, not with the area).

Why a community and not the street: the planner estimates an area's share of the rows from its share of the
nodes (a path prefix). Here a street is half the nodes, and reading half a table whole is the right plan; in a
province a street is 1/1,360 of them, as a community nearly is here (1/20). One build for all the checks
(about ten seconds): the loader's ``VACUUM`` needs a test outside a transaction, and each such test starts on an
emptied database.
"""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

pytestmark = pytest.mark.django_db(transaction=True)  # the loader runs VACUUM, which a transaction refuses

# The tables with a row per event. People and accounts are a few pages at this size (one per 20 postings), where
# reading them whole is the planner's right choice; bench/province.py watches them at province size.
BIG_TABLES = {"ledger_posting", "ledger_line", "ledger_earnedtotal", "reports_report", "tasks_claim", "reports_alert"}


def small_second_street(position: int) -> float:
    return 1.0 if position == 1 else 0.02


def plans_of(read) -> list[tuple[str, str]]:
    """(SQL, plan) of every query ``read()`` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def sequential_scans(read, tables=BIG_TABLES) -> list[str]:
    return [f"{table} in {sql[:300]}\n{plan}" for sql, plan in plans_of(read)
            for table in re.findall(r"Seq Scan on (\w+)", plan) if table in tables]


def test_a_small_areas_pages_read_its_own_rows_on_indexes_not_whole_tables():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plans checked are PostgreSQL's")
    import cockpit as cockpit_bench
    import geo as geo_bench
    import province as province_bench

    from gridgov.cockpit import selectors as cockpit
    from gridgov.deadlines.selectors import alerts_for
    from gridgov.ledger import selectors as ledger
    from gridgov.orgs import services as orgs
    from gridgov.orgs.models import Node, NodeKind, Role
    from gridgov.orgs.permissions import SYSTEM
    from gridgov.reports import selectors as reports
    from gridgov.tasks import selectors as tasks
    from gridgov.workbench import selectors as workbench

    county = geo_bench.load(2)
    first = cockpit_bench.generate(county, 30_000, 10_000, claims=12_000, street_weight=small_second_street)
    province_bench.alerts()
    street = Node.objects.get(code="S02")
    community = Node.objects.filter(path__startswith=street.path, kind=NodeKind.COMMUNITY).order_by("path").first()
    cadre, auditor, supervisor = (orgs.person_create(actor=SYSTEM, name=f"基准{role}", node=community, role=role)
                                  for role in (Role.COMMUNITY_CADRE, Role.PARTY_AUDITOR, Role.SUPERVISOR))

    # The cockpit's points: the weeks' totals of the area's paths (``ledger_grantedweek``, one range a week), and a
    # street's monthly totals by community (one range of the street's index), not the installation's lines or totals.
    assert sequential_scans(lambda: cockpit.weekly(community)) == []
    ledger_tables = {"ledger_posting", "ledger_line", "ledger_earnedtotal"}
    assert sequential_scans(lambda: ledger.earned_under(node=street, depth=street.depth + 1, period="2026-12"),
                            ledger_tables) == []
    assert sequential_scans(lambda: cockpit.area_figures(community), ledger_tables) == []
    # The cockpit's open reports per child and the map's: the area's nodes' ranges of the partial index of open
    # reports (by their ids), not every open report of the province joined to the area's nodes.
    for read in (lambda: cockpit.area_figures(community), lambda: cockpit.map_layers(community)):
        for sql, plan in plans_of(read):
            if '"reports_report"' in sql.partition(" WHERE ")[0]:
                assert "Index Cond: (node_id = ANY" in plan and "Seq Scan on reports_report" not in plan, (sql, plan)
    # The home page's counts of open and overdue reports, per level, and the mean handling time.
    assert sequential_scans(lambda: workbench.workbench_for(cadre, Role.COMMUNITY_CADRE)) == []
    # The supervisor's overdue reports: the area's nodes' open reports (by their ids), a small area's sorted, not a
    # walk of the installation's deadlines; the mean handling time: each node's range of its last 90 days.
    for read in (lambda: list(reports.overdue_reports_under(node=community)[:50]),
                 lambda: reports.average_handling_hours(node=community)):
        for sql, plan in plans_of(read):
            if '"reports_report"' in sql.partition(" WHERE ")[0]:
                assert "node_id = ANY" in plan and "reports_report_due_idx" not in plan, (sql, plan)
                assert "Seq Scan on reports_report" not in plan, (sql, plan)
    # The evaluation and audit queues: the area's waiting claims, not every claim of the province in that state.
    for queue, person in ((tasks.evaluation_queue, cadre), (tasks.audit_queue, auditor)):
        for sql, plan in plans_of(lambda queue=queue, person=person: (list(queue(person=person)[:100]),
                                                                    queue(person=person).count())):
            assert "Seq Scan on tasks_claim" not in plan, (queue.__name__, sql, plan)
            assert not re.search(r"Index Cond: \(\(state\)::text", plan), (queue.__name__, sql, plan)
    # The award page's recent grants of an area with none (the loader books grants at communities): each of its
    # nodes' grants on the partial index, not a walk of the whole ledger backwards by sequence looking for them.
    grid = Node.objects.filter(path__startswith=community.path, kind=NodeKind.GRID).order_by("path").first()
    for sql, plan in plans_of(lambda: list(ledger.recent_grants(node=grid))):
        if "ledger_posting" in sql.partition(" WHERE ")[0]:
            assert "ledger_posting_sequence_key" not in plan and "Seq Scan on ledger_posting" not in plan, (sql, plan)
    # The supervisor's alerts inbox: the alerts addressed to them and the area's escalated ones, each on its index
    # (a UNION), not every alert of the installation read for an OR of the two (deadlines.selectors.alerts_for).
    assert sequential_scans(lambda: (list(alerts_for(person=supervisor)[:300]), alerts_for(person=supervisor).count())) == []
    # The overdue work and the cockpit's claim counts: per node of the area, not the installation's overdue or open
    # claims filtered by path.
    assert sequential_scans(lambda: list(tasks.overdue_for(person=cadre)[:200])) == []
    # … and a small area's overdue claims are sorted, not found on a walk of the installation's in due order.
    for sql, plan in plans_of(lambda: list(tasks.overdue_for(person=cadre)[:200])):
        if "tasks_claim" in sql.partition(" WHERE ")[0] and "ORDER BY" in sql:
            assert "COALESCE" in sql.partition("ORDER BY")[2] and "Presorted Key" not in plan, (sql, plan)
    assert sequential_scans(lambda: tasks.work_under(node=community, depth=community.depth + 1)) == []
    # A page of households' members' points of the month: their accounts, then their totals, on unique indexes.
    # (50 of the 1,500 people built: with 300, a fifth of this small table, reading it whole is a fair plan and
    # the planner took it in one CI run.)
    from django.utils import timezone

    members, month = list(range(first["person"], first["person"] + 50)), timezone.localtime().strftime("%Y-%m")
    assert sequential_scans(lambda: ledger.earned_by_people(members, period_prefix=month),
                            {"ledger_earnedtotal"}) == []


def test_a_small_areas_recent_grants_on_sqlite_read_each_grant_once():
    """SQLite's statistics count the NULLs of ``Posting.reverses`` as one value, so a grant's reversal joined to the
    area's grants was planned as a scan of the whole ledger for each grant (the award page of a county's small
    street: 127 s). The reversals are read apart, by the page's ids."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's")
    import cockpit as cockpit_bench
    import geo as geo_bench

    from gridgov.ledger import selectors as ledger
    from gridgov.orgs.models import Node

    county = geo_bench.load(2)
    cockpit_bench.generate(county, 6_000, 500, claims=500, street_weight=small_second_street)
    street = Node.objects.get(code="S02")
    plans = sqlite_plans_of(lambda: list(ledger.recent_grants(node=street)))
    assert not [plan for _sql, plan in plans if re.search(r"SCAN \S+ LEFT-JOIN", plan)], plans  # a scan per row
    reversals = [plan for sql, plan in plans if '"reverses_id" IN' in sql]
    assert reversals and all("SEARCH ledger_posting USING" in plan for plan in reversals), plans


def sqlite_plans_of(read) -> list[tuple[str, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        read()
    with connection.cursor() as cursor:
        return [(query["sql"], "\n".join(str(row[-1]) for row in cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                                         .fetchall())) for query in captured.captured_queries]
