"""Benchmark of the cockpit (驾驶舱) and the map (一张图) at county scale (not a test).

    .venv/bin/python bench/cockpit.py            # SQLite: 10 streets (≈ 4,800 micro-grids), 1,000,000 postings,
                                                 # 200,000 reports
    .venv/bin/python bench/cockpit.py --quick    # 1 street, 20,000 postings, 5,000 reports: well under a minute
    .venv/bin/python bench/cockpit.py --repeat 3 # best of three timings (a shared machine only ever adds time)
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/NAME .venv/bin/python bench/cockpit.py
                                                 # PostgreSQL: a throwaway <NAME>_bench_<pid> database, dropped after

The county is ``bench/geo.py``'s: the demo street's tree repeated per street, boundaries drawn by the demo
generator and written by one ``boundaries_import``. Then, set-based (``INSERT … SELECT`` over a generated
sequence, secondary indexes off while loading, then rebuilt and ``ANALYZE``d): one person account per
twenty postings, homed in the micro-grids; the postings (two lines each, spread over a year, nine in ten
in office hours) and the totals the journal would keep (``EarnedTotal`` a month, ``GrantedWeek`` a week); the reports (one in ten
still open, located in their micro-grid, spread over 120 days, some resolved late) and their weekly totals
(``ReportWeek``, as the reports' services would keep them); two open tasks per
grid and one claim per 50 postings in every state, a third of them located.

It prints, best of ``--repeat``, server time and queries of the cockpit selector and page, the map's layers
and its data (``/map/data/``: GeoJSON of the node two levels down with the layers) for the county and for
one street, and the size of the county's GeoJSON down to the micro-grids. Goals (issue 13): < 1 s for the
county, < 300 ms for a street like the demo one, the county's GeoJSON < 1 MB. The number of queries must not
depend on the size: compare ``--quick`` with a full run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Loader, scatter, throwaway_database  # noqa: E402  (bench/ is on the path when run)

BIG_TABLES = ["ledger_posting", "ledger_line", "ledger_earnedtotal", "reports_report", "tasks_claim"]
GOALS = {"county": 1.0, "street": 0.3}
GEOJSON_GOAL_BYTES = 1024 * 1024
SLOTS_PER_MICRO_GRID = 20  # with a street weight: the resolution of the split (slots per micro-grid on average)
SLOWEST = int(os.environ.get("BENCH_SLOWEST", "0"))  # print the N slowest queries of each measure


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streets", type=int, default=10)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1, help="best of N timings (default 1)")
    parser.add_argument("--quick", action="store_true", help="1 street, 20,000 postings, 5,000 reports")
    args = parser.parse_args()
    if args.quick:
        args.streets, args.postings, args.reports = 1, 20_000, 5_000
    if args.streets < 1 or args.postings < 1000 or args.reports < 100 or args.repeat < 1:
        parser.error("at least 1 street, 1,000 postings, 100 reports and --repeat 1")
    return args


def main() -> None:
    args = parse_args()
    where, clean_up = throwaway_database("gg-bench-cockpit-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(f"cockpit and map · {where} · {args.streets} streets, {args.postings:,} postings, "
              f"{args.reports:,} reports · best of {args.repeat}", flush=True)
        import geo as geo_bench  # bench/geo.py: the county's tree and boundaries

        county = geo_bench.load(args.streets)
        generate(county, args.postings, args.reports)
        measure(county, args.repeat)
    finally:
        clean_up()


def helper_table(loader: Loader, county, street_weight=None) -> int:
    """``bench_micro``: the micro-grids numbered from 0 with their grid, community and street and a point
    well inside their boundary; and ``bench_slot``: slots numbered from 0, each naming a micro-grid, so that
    ``slot % slots`` picks micro-grids in proportion to their number of slots. Without ``street_weight`` every
    micro-grid has one slot (an even spread); with it (street's position from 1 → its share, e.g. Zipf's
    ``1 / k``), a street's micro-grids share ``SLOTS_PER_MICRO_GRID · micro-grids · weight / total`` slots, at least
    one each. The number
    of slots."""
    from django.db import connection

    from gridgov.geo import selectors
    from gridgov.geo.models import Boundary
    from gridgov.orgs import tree
    from gridgov.orgs.models import Node, NodeKind

    nodes = {node.path: node for node in Node.objects.filter(tree.under([county.path]))}
    rows = []
    inside = {}
    for each in selectors.located(Boundary.objects.filter(node__kind=NodeKind.MICRO_GRID)):
        point = each.shape.representative_point()
        inside[each.node_id] = (round(point.x, 6), round(point.y, 6))
    for path, node in sorted(nodes.items()):
        if node.kind != NodeKind.MICRO_GRID or node.pk not in inside:
            continue
        above = [nodes[p] for p in tree.ancestor_paths(path) if p in nodes]
        level = {each.kind: each.pk for each in above}
        community = next(each.pk for each in above if each.kind in tree.COMMUNITY_KINDS)
        rows.append((len(rows), node.pk, level[NodeKind.GRID], community, level[NodeKind.STREET], *inside[node.pk]))
    loader.execute("CREATE TABLE bench_micro (idx bigint PRIMARY KEY, node_id bigint, grid_id bigint, "
                   "community_id bigint, street_id bigint, lon float, lat float)",
                   "CREATE TABLE bench_slot (idx bigint PRIMARY KEY, micro bigint)")
    slots = list(range(len(rows)))
    if street_weight is not None:
        paths = {node.pk: path for path, node in nodes.items()}
        streets = sorted({row[4] for row in rows}, key=paths.get)
        weight = {pk: street_weight(position) for position, pk in enumerate(streets, start=1)}
        per_street = {pk: sum(1 for row in rows if row[4] == pk) for pk in streets}
        total = sum(weight.values())
        slots = [row[0] for row in rows
                 for _slot in range(max(1, round(SLOTS_PER_MICRO_GRID * len(rows) * weight[row[4]] / total
                                                 / per_street[row[4]])))]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_micro VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        cursor.executemany("INSERT INTO bench_slot VALUES (%s, %s)", list(enumerate(slots)))
    return len(slots)


def generate(county, postings: int, reports: int, claims: int | None = None, street_weight=None) -> dict:
    """Load the rows (see the module's docstring); with ``street_weight`` (see ``helper_table``) people, reports
    and claims are split over the streets by it. The first ids of what later loads refer to."""
    from django.db import connection, transaction
    from oversight import Calendar, first_id

    from gridgov.ledger.aggregates import fill_granted_weeks
    from gridgov.orgs.models import Node, NodeKind
    from gridgov.reports.models import Category
    from gridgov.reports.totals import fill_report_weeks
    from gridgov.tasks import tallies
    from gridgov.tasks.models import WorkType

    started = time.perf_counter()
    loader = Loader(connection)
    calendar = Calendar(loader, 1)
    at = connection.ops.adapt_datetimefield_value(calendar.now)
    slots = helper_table(loader, county, street_weight)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_micro")
        micro = cursor.fetchone()[0]
    of = lambda column, index: (f"(SELECT {column} FROM bench_micro WHERE idx = "  # noqa: E731
                                f"(SELECT micro FROM bench_slot WHERE idx = ({index}) %% {slots}))")
    people = max(postings // 20, micro)
    # Where people live: one a micro-grid in turn when evenly spread; scattered over the slots when weighted.
    home_of = (lambda n: n) if street_weight is None else (lambda n: scatter(n, 91193))  # noqa: E731
    home = home_of("n")
    with tallies.suspended(), loader.loading(BIG_TABLES), transaction.atomic():  # the claims' tallies: counted once
        loader.insert("orgs_person", ["name", "name_initials", "phone", "id_number_digest", "id_number_tail",
                                      "address", "is_active", "created_at"],
                      "'基准' || n, 'jz', '', '', '', '幸福路' || n || '号', %s, %s", people, [True, at])
        person = first_id("orgs_person", people, "address LIKE '幸福路%%'")
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      f"'person', 'person:' || ({person} + n), '基准', {of('node_id', home)}, {person} + n, %s, 0, %s",
                      people, [False, at])
        account = first_id("ledger_account", people, "kind = 'person'")
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      f"'budget', 'budget:bench', '县预算', {county.pk}, NULL, %s, 0, %s", 1, [True, at])
        budget = account + people
        digits = "lpad(CAST(n AS text), 64, '0')" if loader.postgres else "printf('%%064d', n)"
        day = calendar.day(postings)
        # A grant is booked at the community of the person paid (its cadres grant from the budget), as the award
        # page does; the recipient of posting n is the one its second line pays.
        recipient = f"{scatter('n', 39373)} %% {people}"
        granted_at = of("community_id", home_of(f"({recipient})"))
        loader.insert("ledger_posting", ["sequence", "idempotency_key", "kind", "reason", "period", "node_id",
                                         "source_type", "source_id", "actor_id", "actor_name", "role", "memo",
                                         "created_at", "reverses_id", "prev_hash", "hash"],
                      f"n + 1, 'bench:' || n, 'grant', '基准', {calendar.period(day)}, {granted_at}, '', '', NULL, "
                      f"'基准干部', 'street_cadre', '', {calendar.office_time(postings, 11)}, NULL, '', {digits}",
                      postings)
        posting = first_id("ledger_posting", postings)
        amount = f"(1 + {scatter('n', 27011)} %% 20)"
        loader.insert("ledger_line", ["posting_id", "account_id", "amount"], f"{posting} + n, {budget}, -{amount}",
                      postings)
        loader.insert("ledger_line", ["posting_id", "account_id", "amount"],
                      f"{posting} + n, {account} + {recipient}, {amount}", postings, [])
        loader.execute(
            "INSERT INTO ledger_earnedtotal (account_id, period, points, street_id, community_id, grid_id) "
            "SELECT l.account_id, p.period, SUM(l.amount), m.street_id, m.community_id, m.grid_id "
            "FROM ledger_line l JOIN ledger_posting p ON p.id = l.posting_id "
            "JOIN ledger_account a ON a.id = l.account_id JOIN bench_micro m ON m.node_id = a.node_id "
            f"WHERE l.account_id <> {budget} GROUP BY l.account_id, p.period, m.street_id, m.community_id, m.grid_id")
        fill_granted_weeks()  # and the weeks the cockpit's chart reads (what the journal would have kept)

        categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
        assert categories == list(range(categories[0], categories[0] + len(categories))), categories
        pick = f"{scatter('n', 48271)} %% {slots}"
        created = calendar.moment(calendar.now, f"-(n * {120 * 86400} / {reports}) - 3600")
        is_open = f"{scatter('n', 16807)} %% 10 = 0"
        hours = f"(2 + {scatter('n', 69621)} %% 100)"  # resolved after 2–101 h: one in three later than 72 h
        loader.insert("reports_report", [
            "text", "address", "latitude", "longitude", "state", "escalation", "response_due_at", "resolution_due_at",
            "due_at", "auto_close_at", "accepted_at", "resolved_at", "closed_at", "resolution", "useful", "rating",
            "rating_comment", "reopen_count", "is_public", "posting_id", "created_at", "updated_at", "category_id", "handler_id",
            "node_id", "reporter_id", "routing_rule_id"],
            f"'路灯坏了', '', {of('lat', pick)}, {of('lon', pick)}, "
            f"CASE WHEN {is_open} THEN 'submitted' ELSE 'closed' END, 0, "
            f"{calendar.moment(calendar.now, f'-(n * {120 * 86400} / {reports}) - 3600 + 86400')}, "
            f"{calendar.moment(calendar.now, f'-(n * {120 * 86400} / {reports}) - 3600 + 259200')}, "
            f"CASE WHEN {is_open} THEN "
            f"{calendar.moment(calendar.now, f'-(n * {120 * 86400} / {reports}) - 3600 + 259200')} END, NULL, NULL, "
            f"CASE WHEN {is_open} THEN NULL ELSE "
            f"{calendar.moment(calendar.now, f'-(n * {120 * 86400} / {reports}) - 3600 + {hours} * 3600')} END, "
            "NULL, '', %s, NULL, '', 0, %s, NULL, "
            f"{created}, {created}, {categories[0]} + n %% {len(categories)}, NULL, {of('node_id', pick)}, "
            f"{person} + n %% {people}, NULL", reports, [False, False])
        fill_report_weeks()  # and the weeks of reports the cockpit's chart reads (what the services would have kept)

        grids = list(Node.objects.filter(path__startswith=county.path, kind=NodeKind.GRID).order_by("pk")
                     .values_list("pk", flat=True))
        tasks = 2 * len(grids)
        loader.execute("CREATE TABLE bench_grid (idx bigint PRIMARY KEY, node_id bigint)")
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_grid VALUES (%s, %s)", list(enumerate(grids)))
        loader.insert("tasks_task", ["node_id", "title", "description", "work_type_id", "points", "places",
                                     "claimed_count", "deadline", "requires_photo", "requires_text",
                                     "requires_location", "recurrence", "status", "created_at", "withdraw_reason"],
                      f"(SELECT node_id FROM bench_grid WHERE idx = n / 2), '基准任务', '', "
                      f"{WorkType.objects.order_by('pk').first().pk}, 10, 1000000, 0, "
                      f"{calendar.moment(calendar.now, '86400 * (1 + n %% 30)')}, %s, %s, %s, '', 'open', %s, ''",
                      tasks, [False, False, False, at])
        task = first_id("tasks_task", tasks)
        claims = claims or max(postings // 50, 100)
        states = ["claimed", "submitted", "evaluated", "sent_back", "audited", "audited", "audited", "released"]
        state = "CASE " + " ".join(f"WHEN n %% {len(states)} = {i} THEN '{s}'" for i, s in enumerate(states)) + " END"
        located = f"{scatter('n', 31337)} %% 3 = 0"
        loader.insert("tasks_claim", ["task_id", "worker_id", "node_id", "state", "evidence_text", "latitude",
                                      "longitude", "adjustment", "points_awarded", "reason", "claimed_at",
                                      "due_at", "updated_at"],
                      f"{task} + n %% {tasks}, {person} + n %% {people}, {of('node_id', pick)}, {state}, '', "
                      f"CASE WHEN {located} THEN {of('lat', pick)} END, CASE WHEN {located} THEN {of('lon', pick)} END, "
                      f"0, NULL, '', {calendar.moment(calendar.now, f'-(n * {60 * 86400} / {claims})')}, "
                      f"CASE WHEN n %% {len(states)} < 4 THEN "
                      f"{calendar.moment(calendar.now, f'86400 - (n * {6 * 86400} / {claims})')} END, %s",
                      claims, [at])
        loader.execute("DROP TABLE bench_micro", "DROP TABLE bench_slot", "DROP TABLE bench_grid")
    print(f"loaded {people:,} people, {postings:,} postings, {reports:,} reports, {tasks:,} tasks, {claims:,} claims "
          f"in {time.perf_counter() - started:.1f} s (rows {loader.seconds['rows_s']} s, indexes "
          f"{loader.seconds['indexes_s']} s)", flush=True)
    return {"person": person, "people": people, "account": account, "budget": budget, "task": task, "tasks": tasks}


def timed(function, repeat: int):
    """(best seconds, queries of the last try, the value)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tries, value, queries = [], None, 0
    for _try in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            value = function()
            tries.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
        slowest = sorted(captured.captured_queries, key=lambda query: -float(query["time"]))[:SLOWEST]
    for query in slowest if SLOWEST else ():
        print(f"      {float(query['time']) * 1000:7.0f} ms  {query['sql'][:300]}")
    return min(tries), queries, value


def measure(county, repeat: int) -> None:
    from django.test import Client

    from gridgov.cockpit import selectors, views
    from gridgov.geo import selectors as geo
    from gridgov.orgs import services as orgs_services
    from gridgov.orgs.models import Node, NodeKind, Role

    street = Node.objects.filter(kind=NodeKind.STREET).order_by("code").first()
    cadre = orgs_services.person_create(actor=orgs_services.SYSTEM, name="县干部", node=county,
                                        role=Role.PLATFORM_ADMIN, username="bench", password="bench-password-1")
    client = Client()
    client.force_login(cadre.user)
    assert client.get("/cockpit/").status_code == 200  # not timed: URLs loaded, templates compiled
    board = selectors.cockpit(county, viewer_roots=[county])
    print("county figures (the load is counted): " + ", ".join(f"{figure.key} {figure.value:,}" for figure in board.work)
          + f"; {len(board.areas)} streets; reports filed in {len(board.weeks)} weeks "
          f"{sum(week['filed'] for week in board.weeks):,}; points granted {sum(week['points'] for week in board.weeks):,}")

    print(f"\n  {'what':<34}{'node':>8}{'ms':>9}{'queries':>9}{'KB':>9}{'goal':>8}")
    verdicts = []
    for label, node in (("county", county), ("street", street)):
        goal = GOALS[label]
        rows = [
            ("selectors.cockpit", lambda node=node: selectors.cockpit(node, viewer_roots=[county]), None),
            ("GET /cockpit/", lambda node=node: client.get("/cockpit/", {"node": node.code}), "page"),
            ("selectors.map_layers", lambda node=node: selectors.map_layers(node), None),
            (f"geo.features (depth {views.MAP_DEPTH})",
             lambda node=node: geo.features(node=node, depth=views.MAP_DEPTH), "text"),
            ("GET /map/data/", lambda node=node: client.get("/map/data/", {"node": node.code}), "page"),
        ]
        for what, function, kind in rows:
            seconds, queries, value = timed(function, repeat)
            size = ""
            if kind == "page":
                assert value.status_code == 200, (what, value.status_code, value.content[:300])
                size = f"{len(value.content) / 1024:.0f}"
            elif kind == "text":
                size = f"{len(value.encode()) / 1024:.0f}"
            met = seconds < goal
            if kind == "page":
                verdicts.append((f"{what} {label}", met))
            print(f"  {what:<34}{node.code:>8}{seconds * 1000:>9.0f}{queries:>9}{size:>9}"
                  f"{('< ' + str(int(goal * 1000))) if kind == 'page' else '':>8}", flush=True)
    seconds, _queries, text = timed(lambda: geo.features(node=county, depth=geo.MAX_DEPTH), repeat)
    size = len(text.encode())
    print(f"\n  county GeoJSON down to the micro-grids: {text.count(chr(34) + 'Feature' + chr(34)):,} features, "
          f"{size / 1024:.0f} KB in {seconds * 1000:.0f} ms (goal < {GEOJSON_GOAL_BYTES // 1024} KB)")
    verdicts.append(("county GeoJSON size", size < GEOJSON_GOAL_BYTES))
    print("goals: " + ", ".join(f"{what} {'met' if met else 'MISSED'}" for what, met in verdicts))


if __name__ == "__main__":
    main()
