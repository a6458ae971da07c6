"""Bench: a member's household list, a village's monthly ranking and a county's link coverage over many
households and visits (goal: < 200 ms server time each).

    .venv/bin/python bench/households.py --quick                # 20,000 households, 100,000 visits
    .venv/bin/python bench/households.py                        # 1,000,000 households, 5,000,000 visits
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything .venv/bin/python bench/households.py --quick

Builds a county of 10 villages × 10 grids × 10 micro-grids (1,000 micro-grids, one grid worker each), then with
one INSERT … SELECT per table: ``--households`` households spread over the micro-grids, a link from each to its
micro-grid's worker, ``--visits`` visits over the past year and one inspection per household this month. Times
``selectors.linked_households`` (one worker), ``ranking.ranking`` (one village, this month, first 100 rows) and
``selectors.coverage`` (the whole county), each three times, and prints the ratio of the best to the goal.
The database is a fresh one, dropped afterwards.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import Loader, scatter, throwaway_database  # noqa: E402  (bench/ is on the path when run)
from deadlines import minutes_from  # noqa: E402

GOAL = 0.200
SIDE = 10  # villages per county, grids per village, micro-grids per grid


def build_tree():
    from gridgov.orgs.models import Node, NodeKind, Person, Role, RoleAssignment

    county = Node.add_root(kind=NodeKind.DISTRICT, code="B", name="县")
    street = county.add_child(kind=NodeKind.STREET, code="B-S", name="镇")
    villages = [street.add_child(kind=NodeKind.VILLAGE, code=f"B-V{v}", name=f"村{v}") for v in range(SIDE)]
    grids = [village.add_child(kind=NodeKind.GRID, code=f"{village.code}-G{g}", name=f"网格{g}")
             for village in villages for g in range(SIDE)]
    micros = [Node.objects.get(pk=grid.pk).add_child(kind=NodeKind.MICRO_GRID, code=f"{grid.code}-M{m}",
                                                     name=f"微网格{m}")
              for grid in grids for m in range(SIDE)]
    workers = Person.objects.bulk_create(Person(name=f"网格员{i}") for i in range(len(micros)))
    RoleAssignment.objects.bulk_create(RoleAssignment(person=worker, node=micro, role=Role.GRID_WORKER)
                                       for worker, micro in zip(workers, micros, strict=True))
    return street, villages, micros, workers


def load(households: int, visits: int):
    from django.db import connection
    from django.utils import timezone

    from gridgov.households import tallies
    from gridgov.households.models import Household, Inspection, Link, Visit

    street, villages, micros, workers = build_tree()
    first_micro, first_worker, count = micros[0].pk, workers[0].pk, len(micros)
    assert micros[-1].pk - first_micro == count - 1 and workers[-1].pk - first_worker == count - 1
    now = timezone.now()
    month = timezone.localdate().replace(day=1).isoformat()
    loader = Loader(connection)
    tables = [model._meta.db_table for model in (Household, Link, Visit, Inspection)]
    with tallies.suspended(), loader.loading(tables):  # the coverage tallies are recounted once, at the end
        micro, worker = f"{first_micro} + n %% {count}", f"{first_worker} + n %% {count}"
        created = minutes_from(now, "0")
        loader.insert("households_household", ["code", "node_id", "house_number", "address", "created_at"],
                      f"'H' || n, {micro}, (n / {count}) || '号', '', {created}", households)
        first = Household.objects.order_by("pk").values_list("pk", flat=True).first()
        due = minutes_from(now, scatter("n", 7) + " %% 43200")
        loader.insert("households_link", ["household_id", "member_id", "kind", "node_id", "state", "visit_due_at",
                                          "created_at", "ended_at"],
                      f"{first} + n, {worker}, 'grid_worker', {micro}, 'active', {due}, "
                      f"{minutes_from(now, '-1000')}, NULL", households)
        visited = minutes_from(now, "-(" + scatter("n", 17) + " %% 525600)")
        loader.insert("households_visit", ["household_id", "visitor_id", "node_id", "visited_at", "checked", "note",
                                           "photo", "idempotency_key"],
                      f"{first} + {scatter('n', 13)} %% {households}, {worker}, {micro}, {visited}, '[]', '', '', ''",
                      visits)
        loader.insert("households_inspection", ["household_id", "month", "scores", "total", "inspector_id",
                                                "node_id", "inspected_at"],
                      f"{first} + n, '{month}', '{{}}', {scatter('n', 19)} %% 101, {worker}, {micro}, {created}",
                      households)
    return street, villages, workers, loader.seconds


def timed(label: str, function) -> float:
    best = None
    for _attempt in range(3):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    print(f"  {label}: best of 3 {best * 1000:.1f} ms, {best / GOAL:.2f} × the 200 ms goal")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=5_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 households and 100,000 visits")
    options = parser.parse_args()
    if options.quick:
        options.households, options.visits = 20_000, 100_000
    where, cleanup = throwaway_database("gg-bench-households-")
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from gridgov.households import ranking, selectors

        print(f"{where}: {options.households:,} households, {options.visits:,} visits")
        started = time.perf_counter()
        street, villages, workers, seconds = load(options.households, options.visits)
        print(f"  loaded in {time.perf_counter() - started:.1f} s ({seconds})")
        timed("a member's household list", lambda: selectors.linked_households(workers[0]))
        timed("a village's monthly ranking (first 100)",
              lambda: ranking.ranking(node=villages[0], month=ranking.month_of(), limit=100))
        timed("the county's coverage report", lambda: selectors.coverage(node=street))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
