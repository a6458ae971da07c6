"""An area's reads stay index-bound on a province-shaped database (issue 18, what bench/province.py found).

PostgreSQL only: the planner's choice is what is checked. A county of two streets is built with the province
bench's loader, the second street holding about 2 % of the people, reports, claims and grants, so that its
rows are a small part of each table, as any street's are in a province; after ``VACUUM ANALYZE`` the plan of
every query the small street's pages run must not read a big table sequentially (a sequential scan there
grows with the province, not with the street).
"""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

pytestmark = pytest.mark.django_db(transaction=True)  # the loader runs VACUUM, which a transaction refuses

# The tables with a row per event. People and accounts are a few pages at this size (one per 20 postings), where
# reading them whole is the planner's right choice; bench/province.py watches them at province size.
BIG_TABLES = {"ledger_posting", "ledger_line", "ledger_earnedtotal", "reports_report", "tasks_claim"}


def small_second_street(position: int) -> float:
    return 1.0 if position == 1 else 0.02


@pytest.fixture
def province():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the plans checked are PostgreSQL's")
    import cockpit as cockpit_bench
    import geo as geo_bench
    import province as province_bench

    county = geo_bench.load(2)
    cockpit_bench.generate(county, 30_000, 10_000, claims=12_000, street_weight=small_second_street)
    made, street = province_bench.people("S02")
    return {"street": street, **{role: person for role, (person, _token) in made.items()}}


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


def sequential_scans(read) -> list[str]:
    return [f"{table} in {sql[:200]}\n{plan}" for sql, plan in plans_of(read)
            for table in re.findall(r"Seq Scan on (\w+)", plan) if table in BIG_TABLES]


def test_a_small_streets_cockpit_points_read_its_own_accounts_lines_and_totals(province):
    from gridgov.cockpit import selectors as cockpit

    street = province["street"]
    assert sequential_scans(lambda: cockpit.weekly(street)) == []
    assert sequential_scans(lambda: cockpit.area_figures(street)) == []


def test_a_small_streets_recent_grants_do_not_walk_the_ledger_backwards(province):
    from gridgov.ledger import selectors as ledger
    from gridgov.orgs.models import Node, NodeKind

    community = Node.objects.filter(path__startswith=province["street"].path, kind=NodeKind.COMMUNITY).first()
    plans = plans_of(lambda: list(ledger.recent_grants(node=community)))
    assert not any("ledger_posting_sequence_key" in plan or "Seq Scan on ledger_posting" in plan
                   for _sql, plan in plans), plans


def test_a_cadres_home_page_counts_the_areas_reports_from_its_nodes(province):
    from gridgov.workbench import selectors as workbench

    for role in ("street_cadre", "community_cadre", "supervisor"):
        person = province[role]
        assert sequential_scans(lambda person=person, role=role: workbench.workbench_for(person, role)) == [], role


def test_the_evaluation_and_audit_queues_read_the_areas_waiting_claims_only(province):
    from gridgov.tasks import selectors as tasks

    for queue, person in ((tasks.evaluation_queue, province["community_cadre"]),
                          (tasks.audit_queue, province["party_auditor"])):
        plans = plans_of(lambda queue=queue, person=person: (list(queue(person=person)[:100]),
                                                            queue(person=person).count()))
        for sql, plan in plans:
            assert "Seq Scan on tasks_claim" not in plan, (queue.__name__, sql, plan)
            # The province-wide scan of a state: every claim waiting anywhere, then filtered by node.
            assert not re.search(r"Index Cond: \(\(state\)::text", plan), (queue.__name__, sql, plan)
