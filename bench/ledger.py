"""Benchmark of the points ledger (not a test). Prints a small table.

    python bench/ledger.py                 # SQLite in a temporary directory, 1,000,000 ranked people
    python bench/ledger.py --quick         # small sizes, well under a minute
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything python bench/ledger.py
                                           # PostgreSQL: a throwaway database <name>_bench_<pid> is created and dropped

What each row measures (wall-clock time, one process, one connection, the same database and run):

* **single idempotent grants / s** — ``services.grant_points`` called ``--grants`` times by the trusted
  actor, each with a new idempotency key, 5 points from a community budget to a different resident of
  that community. It is the whole service: validation, permission, area check, the chain lock, the
  idempotency check, hash chain, posting and two lines, both balances, the ranking aggregates and the
  audit record, committed one transaction per grant. Every grant pays a resident who has no account
  and no earnings yet this month (the most expensive path: the account and the month's total are
  created too).
* **… to people paid before** — the same, each grant to one of 50 residents already paid this month (the
  common case: a worker's second and later tasks of a month). Its ratio is printed too.
* **raw INSERT transactions / s** — the same database's floor for "one committed row": ``--grants``
  times, ``transaction.atomic()`` around one plain ``INSERT`` of a row (id, unique 120-character key,
  amount, 64-character hash) into a table with a primary key and a unique index, through Django's
  cursor. The three loops run interleaved in ``--rounds`` rounds, so a busy machine slows all alike.
* **ratio** — the first rate over the second (goal >= 0.25).
* **replayed grants / s** — the same calls again with the same keys: each returns the first posting.
* **batch of N grants** — one ``services.grant_batch`` of ``--batch`` grants to as many distinct
  residents who have no account yet (one transaction, one audit record listing the posting ids);
  goal < 1 s on both databases.
* **1 writer / N writers** — ``--writers`` (8) threads, each with its own database connection, granting at
  once to the 50 residents paid before (``--grants`` grants in all), against the same grants from one thread:
  grants per second and p99 per grant. Every grant takes the chain head's lock, so writers queue there; the
  ratio says how much of a second writer's work overlaps the first's.
* **ledger verify** — ``verify_ledger()`` over everything written above must find no problem.
* **rank of one person / top 50 of the street** — ``selectors.rank_of`` and ``selectors.ranking`` with
  ``--people`` ranked people filled straight into the aggregate tables (median of 50 calls each);
  goal < 20 ms each.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import throwaway_database  # noqa: E402  (bench/ is on the path when run)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000, help="people in the ranking (default 1,000,000)")
    parser.add_argument("--grants", type=int, default=2000, help="single grants to time (default 2,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="grants in the batch (default 10,000)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of grants and raw inserts (default 4)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers of the writers row (default 8)")
    parser.add_argument("--quick", action="store_true", help="small sizes: 20,000 people, 300 grants, 2,000 batch")
    args = parser.parse_args()
    if args.quick:
        args.people, args.grants, args.batch = 20_000, 300, 2000
    if args.rounds < 1 or args.grants < 50 * args.rounds:
        parser.error("--grants must be at least 50 per round (the people paid before are paid in the first round)")
    if args.batch < 1 or args.people < 0:
        parser.error("--batch must be positive and --people not negative")
    return args


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def make_street(people: int):
    """A street, 8 communities of 8 grids each, and ``people`` residents spread over the grids (bulk rows)."""
    from gridgov.orgs import services as orgs
    from gridgov.orgs.models import NodeKind, Person, Role, RoleAssignment
    from gridgov.orgs.permissions import SYSTEM

    street = orgs.node_create(actor=SYSTEM, parent=None, kind=NodeKind.STREET, code="B", name="基准街道")
    communities, grids = [], []
    for c in range(8):
        community = orgs.node_create(actor=SYSTEM, parent=street, kind=NodeKind.COMMUNITY, code=f"B{c}", name=f"社区{c}")
        communities.append(community)
        for g in range(8):
            grids.append(orgs.node_create(actor=SYSTEM, parent=community, kind=NodeKind.GRID, code=f"B{c}{g}",
                                          name=f"网格{c}-{g}"))
    residents = Person.objects.bulk_create([Person(name=f"居民{i}", name_initials="jm") for i in range(people)],
                                           batch_size=5000)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(person=p, node=grids[i % len(grids)], role=Role.RESIDENT) for i, p in enumerate(residents)],
        batch_size=5000,
    )
    return street, communities, grids, residents


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def create_raw_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id bigint PRIMARY KEY, idem varchar(120) UNIQUE, amount bigint, "
                       "hash varchar(64))")


def single_grants(keys: range, community, residents, label: str = "single") -> float:
    """Seconds for one ``grant_points`` per key, key i to resident i (see the module docstring)."""
    from gridgov.ledger import services
    from gridgov.orgs.permissions import SYSTEM

    started = time.perf_counter()
    for i in keys:
        services.grant_points(actor=SYSTEM, person=residents[i % len(residents)], amount=5, reason="基准",
                              idempotency_key=f"{label}:{i}", budget_node=community)
    return time.perf_counter() - started


def raw_inserts(keys: range) -> float:
    """Seconds for one committed plain INSERT per key (a row with a unique key, an amount and a hash)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    for i in keys:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw (id, idem, amount, hash) VALUES (%s, %s, %s, %s)",
                           [i, f"raw:{i}", 5, f"{i:064d}"])
    return time.perf_counter() - started


def bench_grants_against_raw(count: int, rounds: int, community, residents) -> dict[str, float]:
    """Per second: grants to new payees, grants to payees paid before and raw INSERT transactions
    (interleaved), then replayed grants."""
    create_raw_table()
    seconds = dict.fromkeys(("new", "paid", "raw"), 0.0)
    bounds = [count * r // rounds for r in range(rounds + 1)]
    for start, end in zip(bounds, bounds[1:]):
        seconds["raw"] += raw_inserts(range(start, end))
        seconds["new"] += single_grants(range(start, end), community, residents)
        # Residents 0-49 were paid by the first round's new grants (count / rounds >= 50).
        seconds["paid"] += single_grants(range(start, end), community, residents[:50], label="again")
    seconds["replayed"] = single_grants(range(count), community, residents)
    return {name: count / spent for name, spent in seconds.items()}


def concurrent_grants(writers: int, count: int, community, residents, label: str) -> tuple[float, float]:
    """Grants per second and p99 seconds per grant with ``writers`` threads granting at once."""
    from django.db import connections

    from gridgov.ledger import services
    from gridgov.orgs.permissions import SYSTEM

    latencies, failures, lock, barrier = [], [], threading.Lock(), threading.Barrier(writers + 1)

    def write(first: int):
        mine = []
        try:
            barrier.wait()
            for i in range(first, count, writers):
                began = time.perf_counter()
                services.grant_points(actor=SYSTEM, person=residents[i % len(residents)], amount=5, reason="基准",
                                      idempotency_key=f"{label}:{i}", budget_node=community)
                mine.append(time.perf_counter() - began)
        except Exception as error:  # reported below: a benchmark that hides a failed writer measures nothing
            failures.append(repr(error))
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} writers failed, e.g. {failures[0]}")
    latencies.sort()
    return len(latencies) / elapsed, latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]


def bench_batch(size: int, community, residents) -> float:
    from gridgov.ledger import services
    from gridgov.orgs.permissions import SYSTEM

    grants = [{"person": residents[i % len(residents)], "amount": 5, "reason": "基准批量"} for i in range(size)]
    seconds, postings = timed(services.grant_batch, actor=SYSTEM, grants=grants, budget_node=community,
                              idempotency_key="batch")
    assert len(postings) == size
    return seconds


def fill_rankings(people: int, street, communities, grids, period: str) -> None:
    """Give ``people`` person accounts an earned total for ``period`` straight into the aggregate tables:
    the shape the journal maintains, without a million postings (rank speed depends only on this shape)."""
    import random

    from django.db import connection

    from gridgov.ledger.models import Account, EarnedTotal

    rng = random.Random(7)
    grid_community = {grid.pk: communities[index // 8].pk for index, grid in enumerate(grids)}
    first = (Account.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    step = 20000
    for start in range(0, people, step):
        size = min(step, people - start)
        Account.objects.bulk_create(
            [Account(kind="person", owner_key=f"bench:{start + i}", name=f"居民{start + i}", node=grids[(start + i) % 64])
             for i in range(size)], batch_size=5000,
        )
    accounts = list(Account.objects.filter(pk__gte=first).order_by("pk").values_list("pk", "node_id"))
    rows = []
    for pk, node_id in accounts:
        rows.append(EarnedTotal(account_id=pk, period=period, points=int(rng.paretovariate(1.5) * 10),
                                street_id=street.pk, community_id=grid_community[node_id], grid_id=node_id))
        if len(rows) == step:
            EarnedTotal.objects.bulk_create(rows, batch_size=5000)
            rows = []
    EarnedTotal.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        for column in ("street_id", "community_id", "grid_id"):
            cursor.execute(
                f"INSERT INTO ledger_earnedhistogram (node_id, period, points, count) "
                f"SELECT {column}, period, points, COUNT(*) FROM ledger_earnedtotal WHERE period = %s "
                f"AND account_id >= %s GROUP BY {column}, period, points "
                f"ON CONFLICT (node_id, period, points) DO UPDATE SET count = ledger_earnedhistogram.count + excluded.count",
                [period, first],
            )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")


def bench_ranks(street, residents, period: str, samples: int = 50) -> tuple[float, float, tuple]:
    from gridgov.ledger import selectors

    rank_times, top_times = [], []
    people = residents[:: max(1, len(residents) // samples)][:samples]
    answer = None
    for person in people:
        seconds, answer = timed(selectors.rank_of, person=person, node=street, period=period)
        rank_times.append(seconds)
        seconds, _rows = timed(selectors.ranking, node=street, period=period, limit=50)
        top_times.append(seconds)
    return statistics.median(rank_times) * 1000, statistics.median(top_times) * 1000, answer


def main():
    args = parse_args()
    where, clean_up = throwaway_database("gg-bench-")
    try:
        setup_django()
        from gridgov.ledger import journal, services
        from gridgov.ledger.verify import verify_ledger
        from gridgov.orgs.permissions import SYSTEM

        period = journal.current_period()
        few = (max(args.batch, 1000) + args.grants) * 8  # community 0 holds batch + grants residents
        seconds, (street, communities, grids, residents) = timed(make_street, few)
        services.budget_set(actor=SYSTEM, node=communities[0], period=period, amount=10**9)
        residents_in_first = [p for i, p in enumerate(residents) if (i % 64) // 8 == 0]
        # Residents of community 0 only (grids 0-7 of 64), so the community's budget may pay them.
        batch_people = residents_in_first or residents

        rates = bench_grants_against_raw(args.grants, args.rounds, communities[0], batch_people)
        # The batch pays residents the single grants did not (they have no account yet either).
        batch_seconds = bench_batch(args.batch, communities[0], batch_people[args.grants:])
        one_rate, one_p99 = concurrent_grants(1, args.grants, communities[0], batch_people[:50], "one-writer")
        many_rate, many_p99 = concurrent_grants(args.writers, args.grants, communities[0], batch_people[:50],
                                                "many-writers")
        checked, problems = verify_ledger()
        assert not problems, problems[:3]
        fill_seconds, _ = timed(fill_rankings, args.people, street, communities, grids, period)
        rank_ms, top_ms, example = bench_ranks(street, batch_people, period)

        rows = [
            ("database", where, ""),
            ("single idempotent grants / s", f"{rates['new']:,.0f}", "new payees"),
            ("… to people paid before / s", f"{rates['paid']:,.0f}", "50 payees"),
            ("raw INSERT transactions / s", f"{rates['raw']:,.0f}", ""),
            ("ratio grants / raw", f"{rates['new'] / rates['raw']:.2f}", "goal >= 0.25"),
            ("ratio, people paid before / raw", f"{rates['paid'] / rates['raw']:.2f}", ""),
            ("replayed grants / s (same keys)", f"{rates['replayed']:,.0f}", ""),
            (f"batch of {args.batch:,} grants", f"{batch_seconds:.2f} s", "goal < 1 s"),
            ("1 writer: grants / s · p99", f"{one_rate:,.0f} · {one_p99 * 1000:.1f} ms", "50 payees paid before"),
            (f"{args.writers} writers at once: grants / s · p99", f"{many_rate:,.0f} · {many_p99 * 1000:.1f} ms",
             f"× {many_rate / one_rate:.2f} the rate of one writer"),
            ("ledger verify", f"{checked:,} postings OK", ""),
            (f"ranked people (filled in {fill_seconds:.0f} s)", f"{args.people + len(batch_people):,}", ""),
            ("rank of one person (median of 50)", f"{rank_ms:.2f} ms", f"goal < 20 ms · e.g. {example}"),
            ("top 50 of the street (median of 50)", f"{top_ms:.2f} ms", "goal < 20 ms"),
        ]
        width = [max(len(str(row[i])) for row in rows) for i in range(3)]
        for row in rows:
            print("  ".join(str(cell).ljust(width[i]) for i, cell in enumerate(row)).rstrip())
    finally:
        clean_up()


if __name__ == "__main__":
    main()
