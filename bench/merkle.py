"""Benchmark of the Merkle log over postings (not a test). Prints a small table of times and ratios.

    python bench/merkle.py --quick         # small sizes, about a minute
    python bench/merkle.py                 # 2,000 grants, a 10,000-grant batch, a log of 10,000,000 leaves
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything python bench/merkle.py
                                           # PostgreSQL: a throwaway database <name>_bench_<pid>

What each row measures (wall-clock, one process, one connection):

* **single grant, with / without the log** — ``services.grant_points`` to a new resident each time: with
  the journal as it is, then with ``merkle_log.append`` replaced by a function that stores nothing (what a
  grant cost before the log). Not interleaved (a grant without the log leaves the head's frontier behind,
  and the journal then refuses to append), so a busy machine skews the ratio. Ratio = with / without
  (goal < 1.20).
* **batch, with / without the log** — one ``services.grant_batch`` of ``--batch`` grants each way.
* **inclusion proof** — ``merkle_log.inclusion`` for random leaves of a log of ``--leaves`` leaves, whose
  nodes (about 2 per leaf) are written straight into ``ledger_merklenode`` (their hashes are stand-ins:
  the proof's reads and arithmetic do not depend on their values). Median of 200 calls (goal < 5 ms at
  10,000,000 leaves).
* **inclusion check** — ``merkle.verify_inclusion`` of such a proof (median of 2,000; goal < 1 ms).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import Loader, throwaway_database  # noqa: E402  (bench/ is on the path when run)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grants", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="400 grants, a 2,000 batch, 1,000,000 leaves")
    args = parser.parse_args()
    if args.quick:
        args.grants, args.batch, args.leaves = 400, 2000, 1_000_000
    if min(args.grants, args.batch, args.leaves) < 1:
        parser.error("every size must be positive")
    return args


from ledger import make_street, setup_django  # noqa: E402  (bench/ledger.py: the same Django and street)


class NoLog:
    """``merkle_log.append`` that stores nothing: the journal as it was before the log."""

    def __enter__(self):
        from gridgov.ledger import merkle_log

        self.original = merkle_log.append
        merkle_log.append = lambda size, frontier, leaves: frontier
        return self

    def __exit__(self, *exc):
        from gridgov.ledger import merkle_log

        merkle_log.append = self.original


def grants(keys, community, residents, label):
    from gridgov.ledger import services
    from gridgov.orgs.permissions import SYSTEM

    started = time.perf_counter()
    for i in keys:
        services.grant_points(actor=SYSTEM, person=residents[i], amount=5, reason="基准",
                              idempotency_key=f"{label}:{i}", budget_node=community)
    return time.perf_counter() - started


def batch(people, community, label):
    from gridgov.ledger import services
    from gridgov.orgs.permissions import SYSTEM

    rows = [{"person": person, "amount": 5, "reason": "基准批量"} for person in people]
    started = time.perf_counter()
    services.grant_batch(actor=SYSTEM, grants=rows, budget_node=community, idempotency_key=label)
    return time.perf_counter() - started


def fill_log(leaves: int) -> None:
    """Nodes of a complete log of ``leaves`` leaves, one INSERT … SELECT per level."""
    from django.db import connection

    loader = Loader(connection)
    hexed = ("lpad(to_hex(n * 2654435761 + {level}), 64, '0')" if loader.postgres
             else "printf('%%064x', n * 2654435761 + {level})")
    with loader.loading(["ledger_merklenode"]):
        level = 0
        while leaves >> level:
            loader.insert("ledger_merklenode", ["level", '"index"', "hash"],
                          f"{level}, n, {hexed.format(level=level)}", leaves >> level)
            level += 1


def median_ms(function, count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    args = parse_args()
    where, cleanup = throwaway_database("gg-bench-merkle-")
    try:
        setup_django()
        from django.db import connection

        from gridgov.ledger import merkle, merkle_log, services
        from gridgov.orgs.permissions import SYSTEM

        people = args.grants * 2 + args.batch * 2 + 50
        _street, communities, _grids, everyone = make_street(people * 8)
        community = communities[0]
        residents = [person for i, person in enumerate(everyone) if i % 64 < 8]  # those of community 0
        services.budget_set(actor=SYSTEM, node=community, period=services.journal.current_period(),
                            amount=10 * people)
        # Every run with the log comes first: once a grant skips the log, the head's frontier no longer
        # matches its size and the journal refuses to append (merkle_log.frontier_of), as it should.
        offset = 2 * args.grants
        grants(range(2 * args.grants + 2 * args.batch, 2 * args.grants + 2 * args.batch + 50), community,
               residents, "warm-up")  # not counted: the first calls pay for caches and compiled queries
        seconds = {"with": grants(range(args.grants), community, residents, "with")}
        batch_with = batch(residents[offset:offset + args.batch], community, "batch-with")
        with NoLog():
            seconds["without"] = grants(range(args.grants, 2 * args.grants), community, residents, "without")
            batch_without = batch(residents[offset + args.batch:offset + 2 * args.batch], community, "batch-without")

        # The proofs: a log of --leaves leaves, in a table of its own contents (the grants' nodes are replaced).
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS ledger_merklenode_append_only ON ledger_merklenode"
                           if connection.vendor == "postgresql" else "DROP TRIGGER IF EXISTS ledger_merklenode_no_delete")
            cursor.execute("DELETE FROM ledger_merklenode")
        started = time.perf_counter()
        fill_log(args.leaves)
        fill_seconds = time.perf_counter() - started
        rng = random.Random(3)
        size = args.leaves
        prove_ms = median_ms(lambda: merkle_log.inclusion(rng.randrange(size), size), 200)
        index = rng.randrange(size)
        path = merkle_log.inclusion(index, size)
        leaf = merkle_log.nodes([(0, index)])[(0, index)]
        root = merkle.root_from_inclusion(index, size, leaf, path)
        assert merkle.verify_inclusion(index, size, leaf, path, root)
        check_ms = median_ms(lambda: merkle.verify_inclusion(index, size, leaf, path, root), 2000)

        per_with, per_without = seconds["with"] / args.grants * 1000, seconds["without"] / args.grants * 1000
        print(f"Merkle log benchmark on {where} ({os.cpu_count()} CPUs; the machine may be shared)")
        print(f"{'single grant, with the log':<44}{per_with:>10.2f} ms")
        print(f"{'single grant, without the log':<44}{per_without:>10.2f} ms")
        print(f"{'  ratio (goal < 1.20)':<44}{per_with / per_without:>10.2f}")
        print(f"{f'batch of {args.batch:,} grants, with the log':<44}{batch_with:>10.2f} s")
        print(f"{f'batch of {args.batch:,} grants, without the log':<44}{batch_without:>10.2f} s")
        print(f"{'  ratio (goal < 1.20)':<44}{batch_with / batch_without:>10.2f}")
        print(f"{f'log of {size:,} leaves written in':<44}{fill_seconds:>10.1f} s")
        print(f"{'inclusion proof, median (goal < 5 ms)':<44}{prove_ms:>10.3f} ms  ({len(path)} hashes)")
        print(f"{'inclusion check, median (goal < 1 ms)':<44}{check_ms:>10.3f} ms")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
