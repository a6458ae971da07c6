"""Province-scale benchmark (not a test): does every role's workbench stay fast as the data grows? (issue 18)

    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/NAME .venv/bin/python bench/province.py --fraction 0.001 0.01
                                            # PostgreSQL: a throwaway <NAME>_bench_<pid> database per fraction
    .venv/bin/python bench/province.py --sqlite         # SQLite at one county (10 streets)
    .venv/bin/python bench/province.py --fraction 0.0002 --calls 3    # a few seconds (the smoke test's size)
    … --fraction 0.001 --streets 12      # 0.1 % of the rows over 12 streets: the plans of a small street in a
                                         # bigger tree (at 0.1 % one street is the whole province)

Each fraction runs in a fresh child process on an empty database. The province at 100 %: 1,360 streets
(Zhejiang's townships), 20,000,000 ledger postings, 5,000,000 reports, 10,000,000 task claims, a year of audit
records (one per posting and per claim); at a fraction f, max(1, 1360·f) streets and f of every count (the
SQLite county: 10 streets and the postings of 10/1360 of the province).

What is built, and how (all rows but the tree set-based, ``INSERT … SELECT`` over a generated sequence):
the tree and boundaries of ``bench/geo.py`` (the demo street's units, grids and micro-grids repeated per
street: ≈ 44 organisations a street, so 60,000 at 100 %), then ``bench/cockpit.py``'s load (people homed in
micro-grids, postings with their two lines and the journal's month totals, reports, tasks and claims in every
state), then the audit records. Skew: the people, reports, claims and grants are split over the streets by Zipf's
``1 / k`` (``zipf``), so the first street ("large") holds the most and the last ("small") the fewest; every
street has the same tree (the demo street's), and a grant is booked at the community of the person paid.
Skipped, and said so: the ledger's hash chain (``hash`` is a numbered placeholder, ``prev_hash`` empty; a
verification of the chain fails on this database) and the Merkle log (no checkpoints: the checkpoint pages
show an empty log). Households (one per three people), volunteers (one person in ten) with a year of needs
served and their hours postings (a tenth of the claims' count, ``volunteering``), two activity bases a street
with 900 days of bookings (a twentieth, ``bookings``), an alert per overdue report and last month's published
index runs of every scheme (``index_runs``) are built.

Then, for one person of each role in the first and in the last street, it times server-side (Django's test
client in-process, a session for pages, a bearer token for the API) every page of the role's navigation
(``gridgov.navigation.entries_for``), the pages its workbench links to (``PAGES``) and the role's API lists: the
median and p99 of ``--calls`` calls, the query count, and on PostgreSQL the slowest query's plan, printing every ``Seq Scan`` on a big table. The last
table is each page's p99 per fraction and the growth between the smallest and the largest fraction
(goal: < 100 ms p99 at 100 %, growth ≤ ×1.5).
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Loader, audit_partitions, in_child, scatter  # noqa: E402  (bench/ is on the path when run)

PROVINCE = {"streets": 1360, "postings": 20_000_000, "reports": 5_000_000, "claims": 10_000_000}
BIG_TABLES = {"ledger_posting", "ledger_line", "ledger_earnedtotal", "reports_report", "tasks_claim", "tasks_task",
              "oversight_auditrecord", "orgs_person", "ledger_account", "households_household",
              "households_membership", "households_link", "households_inspection", "reports_alert",
              "volunteers_volunteer", "volunteers_need", "volunteers_claim", "volunteers_servicetotal",
              "bookings_booking", "bookings_slotday"}
ROLE_NODES = {"street_cadre": "street", "supervisor": "street", "party_auditor": "street",
              "community_cadre": "community", "grid_leader": "grid", "grid_worker": "grid",
              "resident": "micro_grid", "merchant_staff": "micro_grid"}
API = {  # the API lists behind each role's workbench
    "grid_worker": ["/api/v1/tasks", "/api/v1/claims/mine", "/api/v1/points/balance", "/api/v1/points/statement",
                    "/api/v1/volunteers/needs"],
    "resident": ["/api/v1/points/balance", "/api/v1/points/statement", "/api/v1/messages",
                 "/api/v1/volunteers/needs/mine", "/api/v1/volunteers/me/hours"],
    "grid_leader": ["/api/v1/claims/evaluation-queue", "/api/v1/claims/overdue"],
    "community_cadre": ["/api/v1/claims/evaluation-queue", "/api/v1/claims/audit-queue", "/api/v1/claims/overdue",
                        "/api/v1/tasks", "/api/v1/volunteers/needs/area",
                        "/api/v1/volunteers/standings?node={community}&year={year}", "/api/v1/bookings/mine"],
    "party_auditor": ["/api/v1/claims/audit-queue"],
    "street_cadre": ["/api/v1/tasks", "/api/v1/claims/overdue", "/api/v1/cockpit/{street}",
                     "/api/v1/points/ranking/{street}?period={period}", "/api/v1/bookings/queue"],
    "supervisor": ["/api/v1/claims/overdue", "/api/v1/oversight/{street}/findings",
                   "/api/v1/oversight/{street}/audit"],
    "merchant_staff": ["/api/v1/me"],
}
PAGES = {  # pages a workbench links to that are not in the role's navigation
    "supervisor": ["/oversight/alerts/", "/oversight/overdue/"],
}


def sized(fraction: float, streets: int | None = None) -> dict:
    streets = streets or max(1, round(PROVINCE["streets"] * fraction))
    share = streets / PROVINCE["streets"] if fraction == 0 else fraction
    return {"fraction": fraction, "streets": streets, "postings": max(int(PROVINCE["postings"] * share), 1000),
            "reports": max(int(PROVINCE["reports"] * share), 100), "claims": max(int(PROVINCE["claims"] * share), 100)}


def zipf(position: int) -> float:
    """The share of the street at ``position`` (1 the largest): Zipf's 1/k, so a few big streets and a long tail
    of small ones (street 1 of 14 holds 31 % of the people, street 14 about 2 %)."""
    return 1 / position


def build(size: dict) -> dict:
    """Fill the empty, migrated database; the counts and seconds."""
    import cockpit as cockpit_bench
    import geo as geo_bench
    from django.db import connection, transaction

    started = time.perf_counter()
    county = geo_bench.load(size["streets"])
    tree_s = time.perf_counter() - started
    # cockpit.generate makes one claim per 50 postings; ask for the postings that give the claims wanted, then
    # the audit year covers the claims and the postings.
    first = cockpit_bench.generate(county, size["postings"], size["reports"], claims=size["claims"],
                                   street_weight=zipf)
    households(first)
    volunteered = volunteering(first, max(size["claims"] // 10, 10))
    booked = bookings(first, max(size["claims"] // 20, 10))
    alerts()
    runs = index_runs()
    loader = Loader(connection)
    audit_partitions(14)
    with loader.loading(["oversight_auditrecord"]), transaction.atomic():
        for source, when, kind in (("ledger_posting", "created_at", "posting"), ("tasks_claim", "claimed_at", "claim")):
            loader.execute(
                "INSERT INTO oversight_auditrecord (created_at, actor_id, actor_name, actor_role, node_id, node_path, "
                "node_name, action, outcome, object_type, object_id, object_repr, reason, request_id) "
                f"SELECT x.{when}, NULL, '基准干部', 'community_cadre', n.id, n.path, n.name, "
                f"'{kind}.create', 'done', '{kind}', CAST(x.id AS {'text' if loader.postgres else 'TEXT'}), '基准', '', '' "
                f"FROM {source} x JOIN orgs_node n ON n.id = x.node_id")
    with connection.cursor() as cursor:
        counts = {}
        for table in ("orgs_node", "orgs_person", "ledger_posting", "ledger_line", "reports_report", "tasks_claim",
                      "oversight_auditrecord", "households_household", "households_inspection", "reports_alert",
                      "indices_score", "volunteers_volunteer", "volunteers_need", "volunteers_claim",
                      "volunteers_servicetotal", "bookings_booking"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {"tree_s": round(tree_s, 1), "build_s": round(time.perf_counter() - started, 1), "counts": counts,
            "index_runs": runs, **volunteered, **booked}


def households(first: dict) -> None:
    """One household per three people, at the first one's home (so the streets' skew carries over): head,
    spouse and child living there, one link to a member (the 联户 the coverage counts) and this month's
    inspection (the village ranking's score, 0–100)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from oversight import first_id

    from gridgov.households import tallies

    loader = Loader(connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    month = timezone.localdate().replace(day=1).isoformat()
    count = first["people"] // 3
    home = f"(SELECT node_id FROM ledger_account WHERE id = {first['account']} + 3 * n)"
    tables = ["households_household", "households_membership", "households_link", "households_inspection"]
    with tallies.suspended(), loader.loading(tables), transaction.atomic():  # the coverage tallies: counted once
        loader.insert("households_household", ["code", "node_id", "house_number", "address", "created_at"],
                      f"'BH' || n, {home}, (n %% 300 + 1) || '号', '幸福路' || (n %% 300 + 1) || '号', %s", count,
                      [now])
        household = first_id("households_household", count, "code LIKE 'BH%%'")
        loader.insert("households_membership", ["household_id", "person_id", "relation", "moved_in", "moved_out"],
                      f"{household} + n / 3, {first['person']} + n, "
                      "CASE n %% 3 WHEN 0 THEN 'head' WHEN 1 THEN 'spouse' ELSE 'child' END, '2020-01-01', NULL",
                      3 * count)
        loader.insert("households_link", ["household_id", "member_id", "kind", "node_id", "state", "visit_due_at",
                                          "created_at", "ended_at"],
                      f"{household} + n, {first['person']} + {scatter('n', 7919)} %% {first['people']}, "
                      f"CASE WHEN n %% 4 = 0 THEN 'party_member' ELSE 'grid_worker' END, {home}, 'active', NULL, "
                      "%s, NULL", count, [now])
        loader.insert("households_inspection", ["household_id", "month", "scores", "total", "inspector_id",
                                                "node_id", "inspected_at"],
                      f"{household} + n, '{month}', '{{}}', {scatter('n', 19)} %% 101, {first['person']}, {home}, %s",
                      count, [now])


def volunteering(first: dict, needs: int) -> dict:
    """Volunteers and a year of their service, at the homes the load gave people (so the streets' skew carries
    over): one person in ten registered as a volunteer where they live (one in four of them a party member),
    ``needs`` needs served over the last year by a volunteer at the volunteer's home (neighbours helped), each
    with its confirmed claim (30–240 minutes, rated 3–5), the hours posting that credited it (the
    volunteer's hours account, from the hours-issued account: what ``ledger.services.hours_credit`` writes,
    without the hash chain) and the service totals the confirmation keeps (``volunteers.totals.fill``, one
    statement), and one need in fifty still open, waiting for helpers, over the next days."""
    from django.db import connection, transaction
    from oversight import Calendar, first_id

    from gridgov.volunteers import totals
    from gridgov.volunteers.models import Category

    loader = Loader(connection)
    calendar = Calendar(loader, 1)
    at = connection.ops.adapt_datetimefield_value(calendar.now)
    person, account, people = first["person"], first["account"], first["people"]
    volunteers = max(people // 10, 1)
    home = lambda index: f"(SELECT node_id FROM ledger_account WHERE id = {account} + {index})"  # noqa: E731
    helper = f"({scatter('n', 7907)} %% {volunteers})"  # the volunteer who served need n
    categories = list(Category.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    category = "CASE n %% {} {} END".format(len(categories), " ".join(
        f"WHEN {index} THEN {pk}" for index, pk in enumerate(categories)))
    minutes = f"(30 + {scatter('n', 5003)} %% 211)"
    # Need n's moments: it starts (the volunteer checks in) n/needs of a year before yesterday; ``when(s)`` is
    # s seconds after that.
    when = lambda seconds="0": calendar.moment(  # noqa: E731
        calendar.now, f"-(n * {364 * 86400} / {needs}) - 86400 + ({seconds})")
    starts = when()
    tables = ["volunteers_volunteer", "volunteers_need", "volunteers_claim", "volunteers_servicetotal",
              "ledger_account", "ledger_posting", "ledger_line"]
    with loader.loading(tables), transaction.atomic(), connection.cursor() as cursor:
        loader.insert("volunteers_volunteer", ["person_id", "node_id", "skills", "is_party_member", "latitude",
                                               "longitude", "is_active", "joined_at"],
                      f"{person} + 10 * n, {home('10 * n')}, '', n %% 4 = 0, NULL, NULL, %s, %s", volunteers,
                      [True, at])
        loader.insert("volunteers_need", [
            "category_id", "node_id", "requester_id", "requester_kind", "company", "title", "description", "place",
            "starts_at", "helpers", "claimed", "state", "wave", "submitted_at", "published_at", "claimed_at",
            "served_at", "closed_at", "close_reason", "idempotency_key"],
            f"{category}, {home(f'10 * {helper}')}, {person} + {scatter('n', 6151)} %% {people}, 'resident', '', "
            f"'陪老人看病', '', '幸福路', {starts}, 1, 1, 'confirmed', 1, {when('-86400')}, "
            f"{when('-86100')}, {when('-85000')}, {when(minutes + ' * 60')}, "
            f"{when(minutes + ' * 60 + 86400')}, '', ''", needs, [])
        need = first_id("volunteers_need", needs)
        loader.insert("volunteers_claim", [
            "need_id", "volunteer_id", "state", "claimed_at", "checked_in_at", "checked_out_at", "minutes", "rating"],
            f"{need} + n, {person} + 10 * {helper}, 'confirmed', {when('-85000')}, {starts}, "
            f"{when(minutes + ' * 60')}, {minutes}, 3 + {scatter('n', 4001)} %% 3", needs, [])
        totals.fill()  # the service totals the confirmations would have kept (the rankings, the yearly rule)
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      f"'hours', 'hours:person:' || ({person} + 10 * n), '基准', {home('10 * n')}, "
                      f"{person} + 10 * n, %s, 0, %s", volunteers, [False, at])
        hours = first_id("ledger_account", volunteers, "kind = 'hours'")
        loader.insert("ledger_account", ["kind", "owner_key", "name", "node_id", "person_id", "may_go_negative",
                                         "balance", "created_at"],
                      "'hours', 'hours:issued', '志愿时长发放', NULL, NULL, %s, 0, %s", 1, [True, at])
        cursor.execute("SELECT MAX(sequence) FROM ledger_posting")
        sequence = cursor.fetchone()[0] or 0
        local = (f"to_char({starts} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')" if loader.postgres
                 else f"strftime('%%Y-%%m', {starts}, '+8 hours')")
        digits = "'h' || lpad(CAST(n AS text), 63, '0')" if loader.postgres else "printf('h%%063d', n)"
        loader.insert("ledger_posting", ["sequence", "idempotency_key", "kind", "reason", "period", "node_id",
                                         "source_type", "source_id", "actor_id", "actor_name", "role", "memo",
                                         "created_at", "reverses_id", "prev_hash", "hash"],
                      f"{sequence} + 1 + n, 'bench-hours:' || n, 'hours', '志愿服务', {local}, "
                      f"{home(f'10 * {helper}')}, 'volunteers.claim', CAST({need} + n AS TEXT), NULL, '基准干部', "
                      f"'community_cadre', '', {when(minutes + ' * 60 + 86400')}, NULL, '', {digits}",
                      needs, [])
        posting = first_id("ledger_posting", needs, "kind = 'hours'")
        loader.insert("ledger_line", ["posting_id", "account_id", "amount"],
                      f"{posting} + n, {hours} + {helper}, {minutes}", needs, [])
        loader.insert("ledger_line", ["posting_id", "account_id", "amount"],
                      f"{posting} + n, {hours + volunteers}, -{minutes}", needs, [])
        open_needs = max(needs // 50, 1)
        soon = calendar.moment(calendar.now, f"3600 + n * {7 * 86400} / {open_needs}")  # the next week
        loader.insert("volunteers_need", [
            "category_id", "node_id", "requester_id", "requester_kind", "company", "title", "description", "place",
            "starts_at", "helpers", "claimed", "state", "due_at", "wave", "submitted_at", "published_at",
            "close_reason", "idempotency_key"],
            f"{category}, {home(f'10 * {helper}')}, {person} + {scatter('n', 6151)} %% {people}, 'resident', '', "
            f"'帮忙买菜', '', '幸福路', {soon}, 1, 0, 'published', {soon}, 1, %s, %s, '', ''", open_needs, [at, at])
    return {"volunteers": volunteers, "needs": needs + open_needs}


def bookings(first: dict, count: int) -> dict:
    """Two activity bases a street (its party-and-masses centre and an education base, two daily slots of 60
    people and one plan each, made through the ORM), and ``count`` bookings by the street's communities and
    grids of their own street's bases over the past 900 days (80 % visited, 6 % no-show, 8 % cancelled, 6 %
    declined; booked by a cadre of the load), with the slot days they fill; and one booking in a hundred waiting
    for the base, over the next 60 days. Bookings are spread evenly over the organisations (the bases' queues
    see the streets' sizes, not Zipf's skew)."""
    from datetime import time as clock

    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.bookings.models import Base, BaseSlot, Plan, Section
    from gridgov.orgs import tree
    from gridgov.orgs.models import Node, NodeKind

    loader = Loader(connection)
    section = Section.objects.create(code="bench", name="基准阵地")
    streets = list(Node.objects.filter(kind=NodeKind.STREET).order_by("path"))
    bases = Base.objects.bulk_create(
        Base(section=section, code=f"bench-{street.code}-{which}", name=f"{street.name}{label}", node=street)
        for street in streets for which, label in (("centre", "党群服务中心"), ("education", "教育基地")))
    slots = BaseSlot.objects.bulk_create(
        BaseSlot(base=base, label=label, starts_at=clock(hour), ends_at=clock(hour + 2), capacity=60)
        for base in bases for label, hour in (("上午", 9), ("下午", 14)))
    plans = Plan.objects.bulk_create(Plan(base=base, theme="红色教育") for base in bases)
    plan_of = {plan.base_id: plan.pk for plan in plans}
    street_of = {base.pk: base.node_id for base in bases}
    organisations = {street.pk: list(Node.objects.filter(tree.under([street.path]), kind__in=[
        NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.GRID]).values_list("pk", flat=True)) for street in streets}
    rows = []  # (idx, organisation, slot, base, plan): the bookings an organisation may make
    for slot in slots:
        for organisation in organisations[street_of[slot.base_id]]:
            rows.append((len(rows), organisation, slot.pk, slot.base_id, plan_of[slot.base_id]))
    loader.execute("CREATE TABLE bench_choice (idx bigint PRIMARY KEY, organisation_id bigint, slot_id bigint, "
                   "base_id bigint, plan_id bigint)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_choice VALUES (%s, %s, %s, %s, %s)", rows)
    today, at = timezone.localdate(), connection.ops.adapt_datetimefield_value(timezone.now())
    pick = lambda column, row: f"(SELECT {column} FROM bench_choice WHERE idx = {row})"  # noqa: E731
    choice = f"{scatter('n', 7919)} %% {len(rows)}"
    columns = ["organisation_id", "plan_id", "base_id", "slot_id", "date", "starts_at", "headcount", "booked_by_id",
               "contact_phone", "note", "state", "needs_second_review", "handed_over", "decision_reason",
               "idempotency_key", "trip", "created_at", "updated_at"]

    def dated(days: str) -> tuple[str, str]:
        if loader.postgres:
            day = f"(DATE '{today.isoformat()}' + CAST({days} AS integer))"
            return day, f"(CAST({day} AS timestamp) + INTERVAL '1 hour')"
        day = f"date('{today.isoformat()}', ({days}) || ' days')"
        return day, f"({day} || ' 01:00:00')"

    past_day, past_start = dated(f"-(1 + {scatter('n', 104729)} %% 900)")
    draw = f"({scatter('n', 31337)} %% 100)"
    state = (f"CASE WHEN {draw} < 80 THEN 'attended' WHEN {draw} < 86 THEN 'no_show' WHEN {draw} < 94 "
             f"THEN 'cancelled' ELSE 'rejected' END")
    waiting = max(count // 100, 1)
    # A waiting booking holds its place: (organisation, slot, day) distinct, so choice k on day 1 + k / choices.
    next_day, next_start = dated(f"1 + (n / {len(rows)}) %% 60")
    with loader.loading(["bookings_booking", "bookings_slotday"]), transaction.atomic():
        loader.insert("bookings_booking", columns,
                      f"{pick('organisation_id', choice)}, {pick('plan_id', choice)}, {pick('base_id', choice)}, "
                      f"{pick('slot_id', choice)}, {past_day}, {past_start}, 1 + {scatter('n', 31)} %% 30, "
                      f"{first['person']}, '', '', {state}, %s, %s, '', '', '', %s, %s", count, [False, False, at, at])
        loader.insert("bookings_booking", columns,
                      f"{pick('organisation_id', f'n %% {len(rows)}')}, {pick('plan_id', f'n %% {len(rows)}')}, "
                      f"{pick('base_id', f'n %% {len(rows)}')}, {pick('slot_id', f'n %% {len(rows)}')}, {next_day}, "
                      f"{next_start}, 1 + {scatter('n', 37)} %% 30, {first['person']}, '', '', 'pending_base', %s, "
                      "%s, '', '', '', %s, %s", min(waiting, 60 * len(rows)), [False, False, at, at])
        loader.execute(
            "INSERT INTO bookings_slotday (slot_id, date, capacity, booked_people, bookings) "
            "SELECT b.slot_id, b.date, 60, CASE WHEN SUM(b.headcount) > 60 THEN 60 ELSE SUM(b.headcount) END, "
            "COUNT(*) FROM bookings_booking b GROUP BY b.slot_id, b.date")
    loader.execute("DROP TABLE bench_choice")
    return {"bases": len(bases), "bookings": count + min(waiting, 60 * len(rows))}


def alerts() -> None:
    """An open alert for each open report past its deadline, at the street's level (what the scan raises for the
    supervisors and the cadre above): the alerts inbox and the cockpit's counts read them. And the history: a
    closed overdue alert for each report handled since (most of the table in a province, as alerts close when
    their report moves on), which the inbox's reads must step over on their indexes."""
    from django.db import connection, transaction
    from django.utils import timezone

    loader = Loader(connection)
    with loader.loading(["reports_alert"]), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reports_alert (item_type, item_id, level, stage, due_at, title, node_id, node_path, "
            "recipient_id, created_at, closed_at) SELECT 'report', r.id, 2, r.state, r.due_at, '基准预警 #' || r.id, "
            "r.node_id, n.path, NULL, r.due_at, NULL FROM reports_report r JOIN orgs_node n ON n.id = r.node_id "
            "WHERE r.state IN ('submitted', 'accepted', 'in_progress') AND r.due_at <= %s",
            [connection.ops.adapt_datetimefield_value(timezone.now())])
        cursor.execute(
            "INSERT INTO reports_alert (item_type, item_id, level, stage, due_at, title, node_id, node_path, "
            "recipient_id, created_at, closed_at) SELECT 'report', r.id, 1, 'in_progress', r.resolution_due_at, "
            "'基准预警 #' || r.id, r.node_id, n.path, NULL, r.resolution_due_at, r.resolution_due_at "
            "FROM reports_report r "
            "JOIN orgs_node n ON n.id = r.node_id WHERE r.state NOT IN ('submitted', 'accepted', 'in_progress')")


def index_runs() -> dict:
    """Last month's published index runs of every scheme the product ships (``indices.schemes``), computed by the
    engine (itself set-based) from a month of events loaded set-based over the province: three news items per
    organisation (30 % adopted, 0–19 shares), five organisational-life activities (90 % held) and an assessment
    of one person in ten, at their home (study, bonus, deduction or service to enterprises), besides the tasks
    audited and reports resolved already built. The people built hold no roles, so the person schemes
    (党员先锋, 治理积分) score only the timed people. The scheme → (entities, seconds to compute and publish)."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.indices import schemes, services
    from gridgov.orgs.permissions import SYSTEM

    loader = Loader(connection)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    period, day = last_month.strftime("%Y-%m"), last_month.replace(day=15)
    day_sql = "CAST(%s AS date)" if loader.postgres else "%s"
    params = {"day": connection.ops.adapt_datefield_value(day),
              "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    units = "SELECT id FROM orgs_node WHERE kind IN ('community', 'village', 'cooperative')"
    with loader.loading(["indices_newsitem", "indices_activityrecord", "indices_assessment"]), \
            transaction.atomic(), connection.cursor() as cursor:
        for k in range(3):
            cursor.execute(
                "INSERT INTO indices_newsitem (node_id, title, submitted_on, adopted, spread_count, created_at) "
                f"SELECT id, '动态', {day_sql}, (id * 7 + {k}) %% 10 < 3, (id * 13 + {k}) %% 20, %s FROM ({units}) u",
                [params["day"], params["now"]])
        for k in range(5):
            cursor.execute(
                "INSERT INTO indices_activityrecord (node_id, kind, due_on, required, held_on, note, created_at) "
                f"SELECT id, '党课', {day_sql}, %s, CASE WHEN (id * 11 + {k}) %% 10 < 9 THEN {day_sql} END, '', %s "
                f"FROM ({units}) u", [params["day"], True, params["day"], params["now"]])
        cursor.execute(
            "INSERT INTO indices_assessment (node_id, person_id, item, value, evidence, assessed_on, created_at) "
            "SELECT node_id, person_id, CASE id %% 4 WHEN 0 THEN 'study' WHEN 1 THEN 'bonus' WHEN 2 THEN 'deduction' "
            f"ELSE 'serve-enterprise' END, 1 + id %% 20, '记录', {day_sql}, %s FROM ledger_account "
            "WHERE kind = 'person' AND id %% 10 = 0", [params["day"], params["now"]])
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    runs = {}
    for definition in schemes.DEFINITIONS:
        started = time.perf_counter()
        run = services.run_compute(actor=SYSTEM, scheme=definition["code"], period=period)
        services.run_publish(actor=SYSTEM, run=run)
        runs[definition["code"]] = (run.entity_count, round(time.perf_counter() - started, 1))
    return runs


def people(street_code: str) -> dict:
    """One person of each role in the street (the worker and resident homed where the load put people)."""
    from gridgov.orgs import services as orgs
    from gridgov.orgs import tree
    from gridgov.orgs.models import Node
    from gridgov.orgs.permissions import SYSTEM

    street = Node.objects.get(code=street_code)
    below = Node.objects.filter(tree.under([street.path])).order_by("path")
    nodes = {"street": street}
    for kind in ("community", "grid", "micro_grid"):
        nodes[kind] = next(node for node in below if node.kind == kind or (kind == "community" and node.depth ==
                                                                              street.depth + 1))
    made = {}
    for role, where in ROLE_NODES.items():
        person = orgs.person_create(actor=SYSTEM, name=f"基准{role}", node=nodes[where], role=role,
                                    username=f"b-{street_code}-{role}", password="bench-password-1")
        made[role] = (person, orgs.api_token_create(actor=person)[1])
    # The resident lives in a household of their micro-grid, and the grid worker serves the grid's households,
    # so "my household" and "households I serve" show what they would.
    from datetime import date

    from gridgov.households.models import Household, Link, Membership

    household = Household.objects.filter(node=nodes["micro_grid"]).order_by("pk").first()
    if household is not None:
        Membership.objects.create(household=household, person=made["resident"][0], relation="other",
                                  moved_in=date(2024, 1, 1))
    Link.objects.filter(node__path__startswith=nodes["grid"].path).update(member=made["grid_worker"][0])
    # The merchant's staff work a merchant's till in the micro-grid (the till and its scans read their merchant).
    from gridgov.rewards import services as rewards

    merchant = rewards.merchant_create(actor=SYSTEM, name=f"基准商户{street_code}", node=nodes["micro_grid"])
    rewards.staff_add(actor=SYSTEM, merchant=merchant, person=made["merchant_staff"][0])
    # The resident and the worker volunteer where they live (their hours and needs pages read their own rows).
    from gridgov.volunteers.models import Volunteer

    for role, where in (("resident", "micro_grid"), ("grid_worker", "grid")):
        Volunteer.objects.create(person=made[role][0], node=nodes[where])
    return made, nodes


def plan_of(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def timed_url(client, url: str, calls: int, headers: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, headers=headers)  # warm: templates compiled, caches filled as a user would see
    if response.status_code == 302 and response["Location"].startswith("/"):  # e.g. /tree/ → the person's node
        url = response["Location"]
        response = client.get(url, headers=headers)
    times, slowest = [], None
    for _call in range(calls):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - started)
        queries = captured.captured_queries
        worst = max(queries, key=lambda query: float(query["time"]), default=None)
        if worst and (slowest is None or float(worst["time"]) > float(slowest["time"])):
            slowest = worst
    times.sort()
    result = {"status": response.status_code, "median_ms": round(statistics.median(times) * 1000, 1),
              "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 1),
              "queries": len(queries), "slowest_ms": round(float(slowest["time"]) * 1000, 1) if slowest else 0,
              "seq_scans": [], "plan": []}
    if slowest and connection.vendor == "postgresql":
        # Django's captured SQL has the parameters inlined; EXPLAIN runs the same text.
        try:
            result["plan"] = plan_of(slowest["sql"], None)
        except Exception as error:  # a query the inlining cannot reproduce (e.g. a bytea literal): say so
            result["plan"] = [f"(no plan: {type(error).__name__})"]
            connection.rollback() if not connection.get_autocommit() else None
        result["seq_scans"] = sorted({match for line in result["plan"]
                                      for match in re.findall(r"Seq Scan on (\w+)", line) if match in BIG_TABLES})
        result["slowest_sql"] = slowest["sql"][:300]
    return result


def measure(calls: int, streets: int, only: str = "") -> dict:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from gridgov import navigation

    results = {}
    for label, code in (("large", "S01"), ("small", f"S{streets:02d}"))[:2 if streets > 1 else 1]:
        made, nodes = people(code)
        today = timezone.localdate()
        fill = {"street": nodes["street"].code, "community": nodes["community"].code, "year": today.year,
                "period": f"{today:%Y-%m}"}
        for role, (person, token) in made.items():
            client = Client()
            client.force_login(person.user)
            urls = [reverse(entry.url_name) for entry in navigation.entries_for(role)] + PAGES.get(role, [])
            for url in urls:
                if re.search(only, f"{label} {role} {url}"):
                    results[f"{label} {role} {url}"] = timed_url(client, url, calls, {})
            for url in API.get(role, []):  # keyed by the URL's pattern: the street and the year differ by run
                if re.search(only, f"{label} {role} {url}"):
                    results[f"{label} {role} {url}"] = timed_url(Client(), url.format(**fill), calls,
                                                                 {"Authorization": f"Bearer {token}"})
    return results


def child(fraction: float, streets: int, calls: int, only: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    size = sized(fraction, streets or None)
    built = build(size)
    return {**size, **built, "vendor": connection.vendor, "pages": measure(calls, size["streets"], only)}


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fraction", type=float, nargs="+", default=[0.001, 0.01])
    parser.add_argument("--sqlite", action="store_true", help="SQLite at one county (10 streets)")
    parser.add_argument("--streets", type=int, default=0,
                        help="split the fraction's rows over this many streets instead of 1,360·fraction (a small "
                             "build whose plans still see a big province: the area is a small part of each table)")
    parser.add_argument("--calls", type=int, default=20, help="timed calls per page (default 20)")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep each database built (to look at plans after)")
    parser.add_argument("--only", default="", metavar="REGEX",
                        help="time only the rows matching this (e.g. 'cockpit|ranking'; a row is 'large|small role url')")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if any(f <= 0 or f > 1 for f in args.fraction) or args.calls < 1:
        parser.error("fractions in (0, 1] and at least 1 call")
    try:
        re.compile(args.only)
    except re.error as error:
        parser.error(f"--only: {error}")
    return args


def main(argv) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(float(args.child[0]), int(args.child[1]), int(args.child[2]), args.child[3])))
        return
    if args.sqlite:
        os.environ.pop("GRIDGOV_DATABASE_URL", None)
        runs = [(10 / PROVINCE["streets"], 10)]
    else:
        runs = [(fraction, args.streets) for fraction in sorted(args.fraction)]
    results = []
    for fraction, streets in runs:
        result = in_child(__file__, [str(fraction), str(streets), str(args.calls), args.only], "gg-bench-province-", args.keep)
        results.append(result)
        print(f"\n{result['vendor']} · {fraction:.4%} of a province · {result['streets']} streets · built in "
              f"{result['build_s']} s (tree and boundaries {result['tree_s']} s) · "
              + ", ".join(f"{table} {count:,}" for table, count in result["counts"].items()), flush=True)
        print(f"  {'person and page':<62}{'status':>7}{'median':>8}{'p99':>8}{'queries':>8}{'slowest':>8}")
        for what, page in result["pages"].items():
            print(f"  {what:<62}{page['status']:>7}{page['median_ms']:>8}{page['p99_ms']:>8}{page['queries']:>8}"
                  f"{page['slowest_ms']:>8}" + (f"  SEQ SCAN {', '.join(page['seq_scans'])}" if page["seq_scans"] else ""))
        slow = sorted(result["pages"].items(), key=lambda item: -item[1]["slowest_ms"])[:3]
        for what, page in slow:
            if page["plan"]:
                print(f"\n  slowest query of {what} ({page['slowest_ms']} ms): {page.get('slowest_sql', '')}")
                print("\n".join("    " + line for line in page["plan"][:25]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    first, last = results[0], results[-1]
    header = "".join(f"{run['fraction']:>10.3%}" for run in results)
    print(f"\n  p99 ms per fraction{' ' * 43}{header}{'growth':>9}{'of median':>10}")
    over = 0
    for what in first["pages"]:
        row = [run["pages"].get(what, {}).get("p99_ms") for run in results]
        medians = [run["pages"].get(what, {}).get("median_ms") for run in results]
        growth = (row[-1] / row[0]) if row[0] and row[-1] else None
        median_growth = (medians[-1] / medians[0]) if medians[0] and medians[-1] else None
        flag = " >100ms" if row[-1] and row[-1] > 100 else ""
        flag += " >×1.5" if growth and growth > 1.5 and len(results) > 1 else ""
        over += bool(flag)
        print(f"  {what:<62}" + "".join(f"{'—' if value is None else value:>10}" for value in row)
              + (f"{'×' + format(growth, '.2f'):>9}" if growth and len(results) > 1 else "")
              + (f"{'×' + format(median_growth, '.2f'):>10}" if median_growth and len(results) > 1 else "") + flag)
    print(f"\n{len(first['pages'])} pages and endpoints; {over} over a goal at {last['fraction']:.3%}")


if __name__ == "__main__":
    main(sys.argv[1:])
