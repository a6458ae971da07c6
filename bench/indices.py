"""Benchmark of the indicator engine (not a test): time one full period's computation at three sizes.

    python bench/indices.py                          # SQLite, scales 0.002 0.004 0.008 of a province
    python bench/indices.py --scale 0.01 0.02 0.04   # larger; 1.0 = 500,000 people, 60,000 organisations,
                                                     # 20,000,000 events (goal: < 120 s)
    GRIDGOV_BENCH_PG=postgres://gridgov:gridgov@127.0.0.1:5432 python bench/indices.py
                                                     # also PostgreSQL (a throwaway gg_bench_indices_<n> database)

Each size runs in a fresh child process on an empty database: the tree (streets → units → grids), people
holding grid-worker roles, and events split between news items (per organisation), activities and
assessments (per person), written as plain rows. Then it times ``run_compute`` of the Taizhou organisation
scheme and of the Quzhou pioneer (person) scheme for one month, and prints seconds and seconds per million
events, whose ratio between sizes shows whether the cost is linear in events.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time

TAIZHOU, PIONEER = "taizhou", "quzhou-pioneer"  # gridgov.indices.schemes (not imported before django.setup)
PROVINCE = {"people": 500_000, "organisations": 60_000, "events": 20_000_000}


def child(scale: float) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from gridgov.indices import schemes, services
    from gridgov.indices.engine import insert_rows
    from gridgov.indices.models import ActivityRecord, Assessment, NewsItem
    from gridgov.orgs.models import Node, Person, RoleAssignment
    from gridgov.orgs.permissions import SYSTEM

    call_command("migrate", verbosity=0)
    rng = random.Random(6)
    now = timezone.now()
    organisations = max(int(PROVINCE["organisations"] * scale), 12)
    people = max(int(PROVINCE["people"] * scale), 100)
    events = max(int(PROVINCE["events"] * scale), 1000)
    streets = max(organisations // 40, 1)

    started = time.perf_counter()
    with transaction.atomic():
        nodes = [("0001", 1, streets, "district", "D", "省", "s", now)]
        units, grids = [], []
        per_street = organisations // streets
        for s in range(streets):
            street_path = f"0001{s + 1:04d}"
            nodes.append((street_path, 2, per_street, "street", f"S{s}", f"街道{s}", "jd", now))
            for u in range(per_street):
                unit_path = f"{street_path}{u + 1:04d}"
                units.append(unit_path)
                nodes.append((unit_path, 3, 1, "community", f"S{s}U{u}", f"社区{s}-{u}", "sq", now))
                grids.append(f"{unit_path}0001")
                nodes.append((grids[-1], 4, 0, "grid", f"S{s}U{u}G", f"网格{s}-{u}", "wg", now))
        insert_rows(Node, ["path", "depth", "numchild", "kind", "code", "name", "name_initials", "created_at"], nodes)
        ids = dict(Node.objects.values_list("path", "pk"))
        insert_rows(Person, ["name", "name_initials", "phone", "id_number_digest", "id_number_tail", "address",
                             "is_active", "created_at"],
                    [(f"党员{n}", "dy", "", "", "", "", True, now) for n in range(people)])
        person_ids = list(Person.objects.values_list("pk", flat=True))
        homes = [rng.randrange(len(grids)) for _ in person_ids]
        insert_rows(RoleAssignment, ["person_id", "node_id", "role", "created_at"],
                    [(pk, ids[grids[home]], "grid_worker", now) for pk, home in zip(person_ids, homes)])
        day = date(2026, 10, 15)
        news = events // 4
        activities = organisations * 5
        assessments = events - news - activities
        insert_rows(NewsItem, ["node_id", "title", "submitted_on", "adopted", "spread_count", "created_at"],
                    [(ids[units[rng.randrange(len(units))]], "动态", day, rng.random() < 0.3, rng.randrange(20), now)
                     for _ in range(news)])
        insert_rows(ActivityRecord, ["node_id", "kind", "due_on", "required", "held_on", "note", "created_at"],
                    [(ids[unit], "党课", day, True, day if rng.random() < 0.9 else None, "", now)
                     for unit in units for _ in range(5)])
        items = ["study", "bonus", "deduction", "serve-enterprise"]
        rows = []
        for _ in range(assessments):
            position = rng.randrange(len(person_ids))
            rows.append((ids[grids[homes[position]]], person_ids[position], rng.choice(items), rng.randint(1, 20),
                         "记录", day, now))
        insert_rows(Assessment, ["node_id", "person_id", "item", "value", "evidence", "assessed_on", "created_at"],
                    rows)
        services.rule_sets_install(actor=SYSTEM, definitions=[d for d in schemes.DEFINITIONS
                                                              if d["code"] in (schemes.TAIZHOU, schemes.PIONEER)])
    generated = time.perf_counter() - started
    timings = {}
    for scheme in (schemes.TAIZHOU, schemes.PIONEER):
        started = time.perf_counter()
        run = services.run_compute(actor=SYSTEM, scheme=scheme, period="2026-10")
        timings[scheme] = (time.perf_counter() - started, run.entity_count)
    return {"scale": scale, "organisations": len(units), "people": people, "events": events,
            "generate_s": round(generated, 2), "timings": timings}


def run_size(scale: float, database_url: str | None) -> dict:
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
        output = subprocess.run([sys.executable, __file__, "--child", str(scale)], env=env, check=True,
                                capture_output=True, text=True).stdout
        return json.loads(output.strip().splitlines()[-1])
    finally:
        if dropper:
            dropper()


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(float(argv[1]))))
        return
    scales = [float(value) for value in argv[argv.index("--scale") + 1:]] if "--scale" in argv else [0.002, 0.004,
                                                                                                      0.008]
    backends = [("sqlite", None)]
    if os.environ.get("GRIDGOV_BENCH_PG"):
        backends.append(("postgresql", os.environ["GRIDGOV_BENCH_PG"].rstrip("/")))
    print(f"{'db':<11}{'scale':>7}{'orgs':>8}{'people':>9}{'events':>11}{'gen s':>8}{'taizhou s':>11}"
          f"{'pioneer s':>11}{'s/M events':>12}")
    for label, url in backends:
        previous = None
        for scale in scales:
            result = run_size(scale, url)
            total = sum(seconds for seconds, _count in result["timings"].values())
            per_million = total / result["events"] * 1e6
            ratio = f"  ×{per_million / previous:.2f}" if previous else ""
            previous = per_million
            print(f"{label:<11}{scale:>7}{result['organisations']:>8}{result['people']:>9}{result['events']:>11}"
                  f"{result['generate_s']:>8}{result['timings'][TAIZHOU][0]:>11.2f}"
                  f"{result['timings'][PIONEER][0]:>11.2f}{per_million:>12.2f}{ratio}")


if __name__ == "__main__":
    main(sys.argv[1:])
