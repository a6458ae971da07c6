"""Benchmark of the indicator engine (not a test): time one full period's computation at three sizes.

    python bench/indices.py                          # SQLite, scales 0.002 0.004 0.008 of a province
    python bench/indices.py --scale 0.01 0.02 0.04   # larger; 1.0 = 500,000 people, 60,000 organisations,
                                                     # 20,000,000 events (goal: < 120 s)
    GRIDGOV_BENCH_PG=postgres://gridgov:gridgov@127.0.0.1:5432 python bench/indices.py
                                                     # also PostgreSQL (a throwaway gg_bench_indices_<n> database)
    python bench/indices.py --only postgresql --scale 0.25 0.5 1.0   # one database only
    python bench/indices.py --repeat 3 ...           # best of 3 computations per scheme (a shared machine)
    python bench/indices.py --quick                  # tiny sizes, under half a minute

Each size runs in a fresh child process on an empty database. The load is written inside the database,
set-based (``INSERT … SELECT`` over a generated sequence: a recursive CTE on SQLite, ``generate_series``
on PostgreSQL), with the secondary indexes and foreign-key checks of the event tables off while loading and
rebuilt afterwards, then planner statistics (``ANALYZE``; ``VACUUM ANALYZE`` on PostgreSQL, as autovacuum
would leave it). Loading is timed and printed ("load s": the rows, "index s": indexes and statistics), but it
is not the measured thing.

The load: a tree (province → streets → 60,000 organisations → one grid each), people holding grid-worker
roles in a grid (pseudo-random, so grids differ in size), and the events of one month split between news
items (a quarter, spread over organisations; 30 % adopted, 0–19 shares), five organisational-life
activities per organisation (90 % held) and assessments of people (the rest: study / bonus / deduction /
serve-enterprise, 1–20 points each), entered at the person's grid. Every "random" choice is a fixed hash of
the row number, so SQLite and PostgreSQL hold exactly the same rows.

Then it times ``run_compute`` of the Taizhou organisation scheme and of the Quzhou pioneer (person)
scheme for that month, and prints seconds and seconds per million events; the ratio of the last column
between sizes shows whether the cost is linear in events (×1.00 = perfectly linear).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Loader, scatter  # noqa: E402  (bench/ is on the path when run)

TAIZHOU, PIONEER = "taizhou", "quzhou-pioneer"  # gridgov.indices.schemes (not imported before django.setup)
PROVINCE = {"people": 500_000, "organisations": 60_000, "events": 20_000_000}
EVENT_TABLES = ["indices_newsitem", "indices_activityrecord", "indices_assessment"]


def sized(scale: float) -> dict:
    organisations = max(int(PROVINCE["organisations"] * scale), 12)
    streets = max(organisations // 40, 1)
    organisations = organisations // streets * streets
    events = max(int(PROVINCE["events"] * scale), 1000)
    news, activities = events // 4, organisations * 5
    return {"streets": streets, "organisations": organisations, "people": max(int(PROVINCE["people"] * scale), 100),
            "events": events, "news": news, "activities": activities, "assessments": events - news - activities}


def generate(scale: float) -> dict:
    """Fill an empty, migrated database; return the sizes and how long each part took."""
    from datetime import date

    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from gridgov.indices import schemes, services
    from gridgov.indices.engine import insert_rows
    from gridgov.orgs.models import Node
    from gridgov.orgs.permissions import SYSTEM

    size = sized(scale)
    loader = Loader(connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    day = connection.ops.adapt_datefield_value(date(2026, 10, 15))
    day_sql = "CAST(%s AS date)" if loader.postgres else "%s"
    with loader.loading(EVENT_TABLES), transaction.atomic():
        # The tree, in kind order so each kind's ids run consecutively: root, streets, organisations, grids.
        streets, per_street = size["streets"], size["organisations"] // size["streets"]
        nodes = [("0001", 1, streets, "district", "D", "省", "s", now)]
        nodes += [(f"0001{s + 1:04d}", 2, per_street, "street", f"S{s}", f"街道{s}", "jd", now)
                  for s in range(streets)]
        units = [f"0001{s + 1:04d}{u + 1:04d}" for s in range(streets) for u in range(per_street)]
        nodes += [(path, 3, 1, "community", f"U{k}", f"社区{k}", "sq", now) for k, path in enumerate(units)]
        nodes += [(f"{path}0001", 4, 0, "grid", f"G{k}", f"网格{k}", "wg", now) for k, path in enumerate(units)]
        insert_rows(Node, ["path", "depth", "numchild", "kind", "code", "name", "name_initials", "created_at"], nodes)
        first = {}
        for kind in ("community", "grid"):
            low, high = Node.objects.filter(kind=kind).aggregate(low=Min("pk"), high=Max("pk")).values()
            assert high - low == len(units) - 1, "node ids are not consecutive"
            first[kind] = low
        loader.insert("orgs_person", ["name", "name_initials", "phone", "id_number_digest", "id_number_tail", "address",
                                      "is_active", "created_at"],
                      "'党员' || n, 'dy', '', '', '', '', %s, %s", size["people"], [True, now])
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(id), MAX(id) FROM orgs_person")
            low, high = cursor.fetchone()
        assert high - low == size["people"] - 1, "person ids are not consecutive"
        first["person"] = low
        home = f"{first['grid']} + {scatter('{person}', 40503)} %% {len(units)}"  # the grid of person number {person}
        loader.insert("orgs_roleassignment", ["person_id", "node_id", "role", "created_at"],
                      f"{first['person']} + n, {home.format(person='n')}, 'grid_worker', %s", size["people"], [now])
        loader.insert("indices_newsitem", ["node_id", "title", "submitted_on", "adopted", "spread_count", "created_at"],
                      f"{first['community']} + {scatter('n', 48271)} %% {len(units)}, '动态', {day_sql}, "
                      f"{scatter('n', 69621)} %% 10 < 3, {scatter('n', 16807)} %% 20, %s", size["news"], [day, now])
        loader.insert("indices_activityrecord", ["node_id", "kind", "due_on", "required", "held_on", "note",
                                                 "created_at"],
                      f"{first['community']} + n / 5, '党课', {day_sql}, %s, "
                      f"CASE WHEN {scatter('n', 39373)} %% 10 < 9 THEN {day_sql} END, '', %s",
                      size["activities"], [day, True, day, now])
        person = f"({scatter('n', 31337)} %% {size['people']})"
        loader.insert("indices_assessment", ["node_id", "person_id", "item", "value", "evidence", "assessed_on",
                                             "created_at"],
                      f"{home.format(person=person)}, {first['person']} + {person}, "
                      f"CASE {scatter('n', 11003)} %% 4 WHEN 0 THEN 'study' WHEN 1 THEN 'bonus' "
                      f"WHEN 2 THEN 'deduction' ELSE 'serve-enterprise' END, 1 + {scatter('n', 27011)} %% 20, "
                      f"'记录', {day_sql}, %s", size["assessments"], [day, now])
        services.rule_sets_install(actor=SYSTEM, definitions=[d for d in schemes.DEFINITIONS
                                                              if d["code"] in (schemes.TAIZHOU, schemes.PIONEER)])
    return {**size, **loader.seconds}


def measure(repeat: int = 1) -> dict:
    """Seconds to compute each scheme's month from nothing: the best of ``repeat`` tries (the run is
    deleted, untimed, between tries), as other work on a shared machine only ever adds time."""
    from gridgov.indices import schemes, services
    from gridgov.indices.models import Run
    from gridgov.orgs.permissions import SYSTEM

    timings = {}
    for scheme in (schemes.TAIZHOU, schemes.PIONEER):
        tries = []
        for _try in range(repeat):
            Run.objects.filter(scheme=scheme).delete()
            started = time.perf_counter()
            run = services.run_compute(actor=SYSTEM, scheme=scheme, period="2026-10")
            tries.append(time.perf_counter() - started)
        timings[scheme] = (round(min(tries), 3), run.entity_count, [round(seconds, 2) for seconds in tries])
    return timings


def child(scale: float, repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    loaded = generate(scale)
    return {"scale": scale, **loaded, "timings": measure(repeat)}


def run_size(scale: float, database_url: str | None, repeat: int) -> dict:
    env = dict(os.environ)
    directory = tempfile.mkdtemp(prefix="gg-bench-indices-")
    env["GRIDGOV_DATA_DIR"] = directory
    dropper = None
    if database_url:
        import psycopg

        name = f"gg_bench_indices_{os.getpid()}_{int(scale * 1e6)}"
        admin = psycopg.connect(f"{database_url}/postgres", autocommit=True)
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
        env["GRIDGOV_DATABASE_URL"] = f"{database_url}/{name}"
        dropper = lambda: admin.execute(f"DROP DATABASE IF EXISTS {name}")  # noqa: E731
    else:
        env.pop("GRIDGOV_DATABASE_URL", None)
    try:
        child = subprocess.run([sys.executable, __file__, "--child", str(scale), str(repeat)], env=env,
                               capture_output=True, text=True)
        if child.returncode:
            sys.exit(f"scale {scale} failed:\n{child.stderr[-4000:]}")
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if dropper:
            dropper()
        subprocess.run(["rm", "-rf", directory], check=False)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, nargs="+", default=[0.002, 0.004, 0.008],
                        help="sizes as fractions of a province (default 0.002 0.004 0.008; 1.0 = full size)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N computations per scheme (default 1)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (0.001 0.002 0.004), a few seconds each")
    parser.add_argument("--child", nargs=2, metavar=("SCALE", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.scale = [0.001, 0.002, 0.004]
    if any(scale <= 0 for scale in args.scale) or args.repeat < 1:
        parser.error("scales must be positive and --repeat at least 1")
    return args


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(float(args.child[0]), int(args.child[1]))))
        return
    scales, repeat = args.scale, args.repeat
    backends = [("sqlite", None)]
    if os.environ.get("GRIDGOV_BENCH_PG"):
        backends.append(("postgresql", os.environ["GRIDGOV_BENCH_PG"].rstrip("/")))
    if args.only:
        backends = [backend for backend in backends if backend[0] == args.only]
    print(f"{'db':<11}{'scale':>7}{'orgs':>8}{'people':>9}{'events':>11}{'load s':>8}{'index s':>8}"
          f"{'taizhou s':>11}{'pioneer s':>11}{'s/M events':>12}", flush=True)
    for label, url in backends:
        previous = None
        for scale in scales:
            result = run_size(scale, url, repeat)
            timings = result["timings"]
            total = sum(timing[0] for timing in timings.values())
            per_million = total / result["events"] * 1e6
            ratio = f"  ×{per_million / previous:.2f}" if previous else ""
            previous = per_million
            print(f"{label:<11}{scale:>7}{result['organisations']:>8}{result['people']:>9}{result['events']:>11}"
                  f"{result['rows_s']:>8}{result['indexes_s']:>8}{timings[TAIZHOU][0]:>11.2f}"
                  f"{timings[PIONEER][0]:>11.2f}{per_million:>12.2f}{ratio}"
                  + (f"  tries {timings[TAIZHOU][2]} {timings[PIONEER][2]}" if repeat > 1 else ""), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
