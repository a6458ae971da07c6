"""Benchmark of the supervisor's anomaly findings and dashboard (not a test): is the cost linear in postings?

    .venv/bin/python bench/oversight.py                    # SQLite; 125,000 250,000 500,000 1,000,000 postings
    .venv/bin/python bench/oversight.py --postings 2000000 # other sizes
    .venv/bin/python bench/oversight.py --quick            # 10,000 20,000 40,000 postings, well under a minute
    .venv/bin/python bench/oversight.py --repeat 3         # best of three timings (a shared machine)
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything .venv/bin/python bench/oversight.py
                                                           # PostgreSQL: a throwaway <name>_bench_<pid> per size

Each size runs in a fresh child process on an empty database. The load is written inside the database,
set-based (``INSERT … SELECT`` over a generated sequence, as ``bench/indices.py`` does), secondary indexes
and foreign-key checks off while loading, then rebuilt and ``ANALYZE``d. Loading is timed but not measured.

The load, for P postings over ``--years`` (3): a street of 8 communities (6 grids each), 3 cadres per
community, P/100 grid workers and P/25 residents (households of three share an address). Single grants
spread evenly over the years (1–20 points, 90 % to workers, from the community's budget of the grant's
month, granted by one of its cadres, nine in ten in office hours, any day of the week), one audit record
each; P/1000 reversals of recent grants; P/2 audited task claims (five workers a task, evaluated and
audited by cadres of the task's community, one evaluator favouring one worker), with an audit record each;
and the burst of the issue: one cadre making P/25 grants (40,000 at a million) within half an hour three
days ago, draining a budget to 5 %. The 31-day window holds one in 12 of the spread postings a year of
history (one in 35 over three years), and the whole burst.

It times each rule of ``gridgov.oversight.anomalies`` for the street and the last 31 days, and the whole
dashboard page (``/oversight/`` for the street's supervisor, through Django's test client), and prints seconds,
the findings, and the dashboard's microseconds per posting with the ratio to the previous size (×1.00 =
perfectly linear; a quadratic rule doubles it with each doubling of the size). Goal: the dashboard < 1 s at
1,000,000 postings.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Loader, audit_partitions, in_child, scatter  # noqa: E402  (bench/ is on the path when run)

COMMUNITIES, GRIDS, CADRES = 8, 6, 3
BIG_TABLES = ["ledger_posting", "ledger_line", "oversight_auditrecord", "tasks_claim"]
GOAL_SECONDS, GOAL_POSTINGS = 1.0, 1_000_000


def sized(postings: int) -> dict:
    bursts = max(postings // 25, 50)
    reversals = max(postings // 1000, 10)
    return {"postings": postings, "grants": postings - bursts - reversals, "bursts": bursts, "reversals": reversals,
            "workers": max(postings // 100, 10 * COMMUNITIES), "residents": max(postings // 25, 30 * COMMUNITIES),
            "claims": max(postings // 2, 100), "tasks": max(postings // 10, COMMUNITIES)}


class Calendar:
    """The years before today in the installation's time zone (Asia/Shanghai: no daylight saving), their
    months (budgets and posting periods are monthly), and SQL for moments in them, stored as Django stores
    them."""

    def __init__(self, loader: Loader, years: int):
        from datetime import timedelta

        from django.utils import timezone

        self.loader, self.timedelta = loader, timedelta
        self.days = 365 * years - 1  # up to yesterday
        self.now = timezone.localtime(timezone.now().replace(microsecond=0), timezone.get_default_timezone())
        self.start = (self.now - timedelta(days=self.days + 1)).replace(hour=0, minute=0, second=0)
        self.months: list[tuple[int, str]] = []  # (first day, YYYY-MM), day 0 = self.start's date
        for day in range(self.days + 2):
            period = (self.start + timedelta(days=day)).strftime("%Y-%m")
            if not self.months or self.months[-1][1] != period:
                self.months.append((day, period))

    def moment(self, anchor, seconds: str) -> str:
        """SQL for ``anchor`` plus an integer SQL expression of seconds (negative: before it)."""
        if self.loader.postgres:
            return f"(TIMESTAMPTZ '{anchor.isoformat()}' + ({seconds}) * INTERVAL '1 second')"
        utc = self.loader.connection.ops.adapt_datetimefield_value(anchor)
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', '{utc}', (({seconds})) || ' seconds')"

    def day(self, count: int) -> str:
        """Day of row ``n`` of ``count``, spread evenly over the years, oldest first."""
        return f"(n * {self.days} / {count})"

    def office_time(self, count: int, salt: int) -> str:
        """Row ``n``'s moment: its day, nine times in ten during office hours (08:00–18:00), else any time."""
        hours = (f"CASE WHEN {scatter('n', salt)} %% 10 < 9 THEN 28800 + {scatter('n', salt + 2)} %% 36000 "
                 f"ELSE {scatter('n', salt + 2)} %% 86400 END")
        return self.moment(self.start, f"{self.day(count)} * 86400 + {hours}")

    def month(self, day: str) -> str:
        """Index in ``months`` of the month of a day (an SQL expression)."""
        return "CASE " + " ".join(f"WHEN {day} >= {first} THEN {index}"
                                  for index, (first, _period) in reversed(list(enumerate(self.months)))) + " END"

    def period(self, day: str) -> str:
        return "CASE " + " ".join(f"WHEN {day} >= {first} THEN '{period}'"
                                  for first, period in reversed(self.months)) + " END"

    def month_of(self, moment) -> int:
        return max(index for index, (first, _p) in enumerate(self.months)
                   if self.start + self.timedelta(days=first) <= moment)


def first_id(table: str, count: int, where: str = "1 = 1") -> int:
    """The first id of ``count`` rows just inserted in one statement (their ids are consecutive)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {table} WHERE {where}")
        low, high, rows = cursor.fetchone()
    assert high - low + 1 == rows == count, (table, low, high, rows, count)
    return low


class Street:
    """The tree, the people and the accounts, with the first id of each kind of row (ids run consecutively)."""

    def __init__(self, loader: Loader, size: dict, at, months: list[tuple[int, str]]):
        from gridgov.orgs import services as orgs
        from gridgov.orgs.models import NodeKind, Role
        from gridgov.orgs.permissions import SYSTEM

        self.loader, self.at = loader, at
        self.street = orgs.node_create(actor=SYSTEM, parent=None, kind=NodeKind.STREET, code="B", name="基准街道")
        communities = [orgs.node_create(actor=SYSTEM, parent=self.street, kind=NodeKind.COMMUNITY, code=f"B{c}",
                                        name=f"基准社区{c}") for c in range(COMMUNITIES)]
        grids = [orgs.node_create(actor=SYSTEM, parent=community, kind=NodeKind.GRID, code=f"B{c}G{g}",
                                  name=f"基准网格{c}-{g}") for c, community in enumerate(communities) for g in range(GRIDS)]
        self.supervisor = orgs.person_create(actor=SYSTEM, name="吴监察", node=self.street, role=Role.SUPERVISOR,
                                             username="supervisor", password="bench-password-1")
        self.community, self.grid = communities[0].pk, grids[0].pk
        assert [n.pk for n in communities] == list(range(self.community, self.community + COMMUNITIES))
        assert [n.pk for n in grids] == list(range(self.grid, self.grid + len(grids)))
        self.paths = " ".join(f"WHEN {c} THEN '{node.path}'" for c, node in enumerate(communities))
        self.workers, self.residents = size["workers"], size["residents"]
        cadres = COMMUNITIES * CADRES
        # Cadre k of community k // 3, worker i of community i % 8; three residents of a community share an address.
        resident = f"(n - {cadres + self.workers})"
        household = f"({resident} / {3 * COMMUNITIES} * {COMMUNITIES} + {resident} %% {COMMUNITIES})"
        people = cadres + self.workers + self.residents
        loader.insert("orgs_person", ["name", "name_initials", "phone", "id_number_digest", "id_number_tail",
                                      "address", "is_active", "created_at"],
                      f"'基准' || n, 'jz', '', '', '', CASE WHEN n < {cadres} THEN '干部路' || n || '号' "
                      f"WHEN n < {cadres + self.workers} THEN '网格路' || n || '号' "
                      f"ELSE '幸福路' || {household} || '号' END, %s, %s", people, [True, at])
        self.cadre = first_id("orgs_person", people, f"id > {self.supervisor.pk}")
        self.first_worker = self.cadre + cadres
        accounts = self.workers + self.residents
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      f"'person', 'person:' || ({self.first_worker} + n), '基准', NULL, {self.first_worker} + n, "
                      "%s, 0, %s", accounts, [False, at])
        self.account = first_id("ledger_account", accounts)
        budgets = len(months) * COMMUNITIES  # budget b: month b // 8, community b % 8
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      f"'budget', 'budget:' || n, '预算', {self.community} + n %% {COMMUNITIES}, NULL, %s, 0, %s",
                      budgets, [False, at])
        self.budget = self.account + accounts
        loader.insert("ledger_budget", ["node_id", "period", "amount", "account_id", "updated_at"],
                      f"{self.community} + n %% {COMMUNITIES}, CASE n / {COMMUNITIES} "
                      + " ".join(f"WHEN {index} THEN '{period}'" for index, (_day, period) in enumerate(months))
                      + f" END, 1, {self.budget} + n, %s", budgets, [at])

    def cadre_of(self, community: str, which: str) -> str:
        return f"({self.cadre} + ({community}) * {CADRES} + ({which}))"

    def worker_of(self, community: str, which: str) -> str:
        """Account of one of the community's workers."""
        return f"({self.account} + ({which}) %% {self.workers // COMMUNITIES} * {COMMUNITIES} + ({community}))"

    def resident_of(self, community: str, which: str) -> str:
        return (f"({self.account} + {self.workers} + ({which}) %% {self.residents // COMMUNITIES} * {COMMUNITIES} "
                f"+ ({community}))")

    def audit(self, count: int, *, when: str, actor: str, community: str, action: str, object_type: str,
              object_id: str) -> None:
        text = "text" if self.loader.postgres else "TEXT"
        self.loader.insert(
            "oversight_auditrecord",
            ["created_at", "actor_id", "actor_name", "actor_role", "node_id", "node_path", "node_name", "action",
             "outcome", "object_type", "object_id", "object_repr", "reason", "request_id"],
            f"{when}, {actor}, '基准干部', 'community_cadre', {self.community} + ({community}), "
            f"CASE {community} {self.paths} END, '基准社区', '{action}', 'done', '{object_type}', "
            f"CAST({object_id} AS {text}), '基准', '', ''", count)

    def postings(self, count: int, *, sequence: int, kind: str, when: str, period: str, month: str, community: str,
                 cadre: str, recipient: str, amount: str, reverses: str = "NULL") -> int:
        """``count`` postings of two lines (from the community's budget of ``month``) with an audit record
        each; the id of the first."""
        digits = (f"lpad(CAST({sequence} + n AS text), 64, '0')" if self.loader.postgres
                  else f"printf('%%064d', {sequence} + n)")
        self.loader.insert(
            "ledger_posting",
            ["sequence", "idempotency_key", "kind", "reason", "period", "node_id", "source_type", "source_id",
             "actor_id", "actor_name", "role", "memo", "created_at", "reverses_id", "prev_hash", "hash"],
            f"{sequence} + n + 1, 'bench:' || ({sequence} + n), '{kind}', '基准', {period}, "
            f"{self.community} + ({community}), '', '', {self.cadre_of(community, cadre)}, '基准干部', 'community_cadre', "
            f"'', {when}, {reverses}, '', {digits}", count)
        posting = first_id("ledger_posting", count, f"sequence > {sequence} AND sequence <= {sequence + count}")
        drawn = -1 if kind == "grant" else 1
        budget = f"{self.budget} + ({month}) * {COMMUNITIES} + ({community})"
        for account, sign in ((budget, drawn), (recipient, -drawn)):
            self.loader.insert("ledger_line", ["posting_id", "account_id", "amount"],
                               f"{posting} + n, {account}, {sign} * ({amount})", count)
        self.audit(count, when=when, actor=self.cadre_of(community, cadre), community=community,
                   action="points.grant" if kind == "grant" else "points.reverse", object_type="ledger.posting",
                   object_id=f"{posting} + n")
        return posting


def generate(postings: int, years: int) -> dict:
    """Fill an empty, migrated database; return the sizes and the seconds loading took."""
    from django.db import connection, transaction

    from gridgov.tasks import tallies
    from gridgov.tasks.models import WorkType

    size = sized(postings)
    loader = Loader(connection)
    calendar = Calendar(loader, years)
    at = connection.ops.adapt_datetimefield_value(calendar.now)
    audit_partitions(12 * years + 1)
    with tallies.suspended(), loader.loading(BIG_TABLES), transaction.atomic():  # the claims' tallies: counted once
        street = Street(loader, size, at, calendar.months)
        grants, bursts, reversals = size["grants"], size["bursts"], size["reversals"]
        community = f"{scatter('n', 48271)} %% {COMMUNITIES}"
        first_grant = street.postings(
            grants, sequence=0, kind="grant", when=calendar.office_time(grants, 11), period=calendar.period(
                calendar.day(grants)), month=calendar.month(calendar.day(grants)), community=community,
            cadre=f"{scatter('n', 16807)} %% {CADRES}", amount=f"1 + {scatter('n', 27011)} %% 20",
            recipient=f"CASE WHEN {scatter('n', 69621)} %% 10 < 9 THEN {street.worker_of(community, scatter('n', 39373))} "
                      f"ELSE {street.resident_of(community, scatter('n', 39373))} END")
        # The burst: cadre 0 of community 0, half an hour three days ago.
        burst = calendar.now - calendar.timedelta(days=3)
        month = calendar.month_of(burst)
        street.postings(bursts, sequence=grants, kind="grant", when=calendar.moment(burst, f"n * 1800 / {bursts}"),
                        period=f"'{calendar.months[month][1]}'", month=str(month), community="0", cadre="0",
                        amount="5", recipient=street.worker_of("0", scatter("n", 39373)))
        street.postings(reversals, sequence=grants + bursts, kind="reversal", when=calendar.moment(calendar.now, "-60 * n"),
                        period=f"'{calendar.months[-1][1]}'", month=str(len(calendar.months) - 1),
                        community=f"n %% {COMMUNITIES}", cadre=f"n %% {CADRES}", amount="1",
                        recipient=street.worker_of(f"n %% {COMMUNITIES}", "n"),
                        reverses=f"{first_grant} + {grants - 1} - n * 7")

        # Task claims over the year, audited, five workers a task (a worker claims a task once, and worker 0 only
        # here); of the last fifth (one claim a task), every third is approved by cadre 1 for worker 0.
        claims, tasks = size["claims"], size["tasks"]
        loader.insert("tasks_task", ["node_id", "title", "description", "work_type_id", "points", "places",
                                     "claimed_count", "deadline", "requires_photo", "requires_text",
                                     "requires_location", "recurrence", "status", "created_at", "withdraw_reason"],
                      f"{street.community} + n %% {COMMUNITIES}, '基准任务', '', {WorkType.objects.first().pk}, "
                      "10, 100000, 0, %s, %s, %s, %s, '', 'open', %s, ''", tasks, [at, False, False, False, at])
        task = first_id("tasks_task", tasks)
        favoured = f"n >= {claims - tasks} AND n %% 3 = 0"
        c = f"((n %% {tasks}) %% {COMMUNITIES})"
        pick = scatter("n", 40503)
        evaluator = f"CASE WHEN {favoured} THEN {street.cadre} + 1 ELSE {street.cadre_of(c, f'{pick} %% {CADRES}')} END"
        auditor = street.cadre_of(c, f"({pick} + 1) %% {CADRES}")
        evaluated = calendar.office_time(claims, 21)
        audited = calendar.office_time(claims, 31)
        loader.insert("tasks_claim", ["task_id", "worker_id", "node_id", "state", "evidence_text", "adjustment",
                                      "points_awarded", "reason", "evaluator_id", "auditor_id", "claimed_at",
                                      "evaluated_at", "audited_at", "updated_at"],
                      f"{task} + n %% {tasks}, CASE WHEN {favoured} THEN {street.first_worker} "
                      f"ELSE {street.first_worker} + (1 + (n / {tasks} + {scatter(f'n %% {tasks}', 11003)}) "
                      f"%% {street.workers // COMMUNITIES - 1}) "
                      f"* {COMMUNITIES} + {c} END, {street.grid} + {c} * {GRIDS} + {scatter('n', 31337)} %% {GRIDS}, "
                      f"'audited', '', 0, 10, '', {evaluator}, {auditor}, %s, {evaluated}, {audited}, %s",
                      claims, [at, at])
        claim = first_id("tasks_claim", claims)
        street.audit(claims, when=evaluated, actor=evaluator, community=c, action="claim.approve",
                     object_type="tasks.claim", object_id=f"{claim} + n")

        # Budgets: twice what was drawn, but the burst's, which ends with 5 % left.
        loader.execute(
            "UPDATE ledger_budget SET amount = (SELECT CASE WHEN SUM(amount) < 0 THEN -2 * SUM(amount) ELSE 1 END "
            "FROM ledger_line WHERE ledger_line.account_id = ledger_budget.account_id)",
            f"UPDATE ledger_budget SET amount = amount * 100 / 190 WHERE account_id = "
            f"{street.budget + month * COMMUNITIES}")
    return {**size, "years": years, "street": street.street.pk, "supervisor": street.supervisor.pk,
            **loader.seconds}


def measure(size: dict, repeat: int) -> dict:
    """Seconds of each rule and of the dashboard page: the best of ``repeat`` tries (other work on a shared
    machine only ever adds time), with the number of findings and of queries."""
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gridgov.orgs.models import Node, Person
    from gridgov.oversight import anomalies, views

    street = Node.objects.get(pk=size["street"])
    since = timezone.now() - timedelta(days=views.ANOMALY_PERIOD_DAYS)
    timings = {}
    for rule in anomalies.rules():
        tries = []
        for _try in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                findings = rule.check(node=street, since=since)
                tries.append(time.perf_counter() - started)
        timings[rule.code] = {"s": min(tries), "findings": len(findings), "queries": len(queries.captured_queries),
                              "evidence": max((len(f.postings) + len(f.claims) for f in findings), default=0)}
    client = Client()
    client.force_login(Person.objects.get(pk=size["supervisor"]).user)
    client.get("/oversight/")  # not timed: the first request loads the URLs and compiles the templates
    tries = []
    for _try in range(repeat):
        started = time.perf_counter()
        response = client.get("/oversight/")
        tries.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    timings["dashboard"] = {"s": min(tries), "bytes": len(response.content)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ledger_posting WHERE created_at >= %s", [since])
        timings["window_postings"] = cursor.fetchone()[0]
    return timings


def child(postings: int, years: int, repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    size = generate(postings, years)
    return {**size, "timings": measure(size, repeat)}


def run_size(postings: int, years: int, repeat: int) -> dict:
    return in_child(__file__, [str(postings), str(years), str(repeat)], "gg-bench-oversight-")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, nargs="+", default=[125_000, 250_000, 500_000, 1_000_000],
                        help="sizes in postings (default 125,000 250,000 500,000 1,000,000)")
    parser.add_argument("--years", type=int, default=3, help="years of history the postings spread over (default 3)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N timings of each rule and page (default 1)")
    parser.add_argument("--quick", action="store_true", help="10,000 20,000 40,000 postings")
    parser.add_argument("--child", nargs=3, type=int, metavar=("POSTINGS", "YEARS", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.postings = [10_000, 20_000, 40_000]
    if any(postings < 2000 for postings in args.postings) or args.repeat < 1 or args.years < 1:
        parser.error("sizes must be at least 2,000 postings, --repeat and --years at least 1")
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    print(f"oversight findings and dashboard · {'PostgreSQL' if url.startswith('postgres') else 'SQLite'} · "
          f"{args.years} year(s) of postings · best of {args.repeat}", flush=True)
    codes = None
    previous = None
    for postings in args.postings:
        result = run_size(postings, args.years, args.repeat)
        timings = result["timings"]
        if codes is None:
            codes = [code for code in timings if code not in ("dashboard", "window_postings")]
            print(f"{'postings':>10}{'in window':>10}{'burst':>8}{'load s':>8}{'index s':>8}"
                  + "".join(f"{code[:14]:>16}" for code in codes) + f"{'dashboard s':>13}{'µs/posting':>12}",
                  flush=True)
        dashboard = timings["dashboard"]["s"]
        per_posting = dashboard / postings * 1e6
        ratio = f"  ×{per_posting / previous:.2f}" if previous else ""
        previous = per_posting
        print(f"{postings:>10,}{timings['window_postings']:>10,}{result['bursts']:>8,}{result['rows_s']:>8}"
              f"{result['indexes_s']:>8}"
              + "".join(f"{timings[code]['s']:>9.3f} ({timings[code]['findings']:>3})" for code in codes)
              + f"{dashboard:>13.3f}{per_posting:>12.2f}{ratio}", flush=True)
    print("(each rule: seconds (findings); µs/posting: the dashboard's time per posting, ×ratio to the previous size)")
    if max(args.postings) >= GOAL_POSTINGS:
        print(f"goal: dashboard < {GOAL_SECONDS:.0f} s at {GOAL_POSTINGS:,} postings: "
              + ("met" if dashboard < GOAL_SECONDS else "MISSED"))


if __name__ == "__main__":
    main()
