"""Benchmark of the demo seeding (not a test): how long ``gridgov demo`` takes to seed 浮云街道.

    .venv/bin/python bench/demo.py                 # SQLite in a temporary directory, one seeding
    .venv/bin/python bench/demo.py --repeat 3      # best of three, each on a fresh database (a shared machine)
    .venv/bin/python bench/demo.py --quick         # the same single seeding (the demo has one size)
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything .venv/bin/python bench/demo.py
                                                   # PostgreSQL: a throwaway <name>_bench_<pid> database

Each try runs in a fresh child process on an empty, migrated database and calls ``gridgov.demo.seed_demo``
(what ``gridgov demo`` runs after migrating): the orgs seeder (the street: 479 micro-grids, ~4,600 people,
with the real password hasher) and every app's month of activity on top, all through the services. It prints
each seeder's seconds and the total against the goals: the street in < 10 s, the whole demo in < 30 s.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import in_child  # noqa: E402  (bench/ is on the path when run)

STREET = "gridgov.orgs.demo.seed"
GOALS = {STREET: 10.0, "total": 30.0}


def child() -> dict:
    """One seeding on the database the environment names; seconds per seeder and in all."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from gridgov import demo

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    out = demo.seed_demo()
    return {**out.seconds, "total": time.perf_counter() - started}


def one_try() -> dict:
    return in_child(__file__, [], "gg-bench-demo-")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="best of N seedings, each on a fresh database (1)")
    parser.add_argument("--quick", action="store_true", help="one seeding (the default; the demo has one size)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    print(f"demo seeding · {'PostgreSQL' if url.startswith('postgres') else 'SQLite'} · best of {args.repeat}")
    tries = [one_try() for _try in range(args.repeat)]
    best = {name: min(seconds[name] for seconds in tries) for name in tries[0]}
    missed = []
    for name, seconds in best.items():
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"goal < {goal:.0f} s: {'met' if seconds < goal else 'MISSED'}"
            if seconds >= goal:
                missed.append(name)
        label = "whole demo" if name == "total" else name
        line = f"{label:<32}{seconds:8.2f} s   {verdict}"
        print((line + (f"   tries {[round(t[name], 2) for t in tries]}" if args.repeat > 1 else "")).rstrip())
    print("goals: " + ("MISSED for " + ", ".join(missed) if missed else "met"))


if __name__ == "__main__":
    main()
