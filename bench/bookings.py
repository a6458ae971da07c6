"""Benchmark of base bookings (红动宁海) at the issue's size (not a test).

    .venv/bin/python bench/bookings.py             # SQLite: the demo street, 100 bases, 200,000 past bookings
    .venv/bin/python bench/bookings.py --quick     # 100 bases, 20,000 past bookings
    .venv/bin/python bench/bookings.py --calls 50  # calls per measure (default 30)
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/NAME .venv/bin/python bench/bookings.py
                                                   # PostgreSQL: a throwaway <NAME>_bench_<pid> database

It seeds the demo (its 34 bases, street and people, through the services), copies bases until there are
``--bases`` (each with its slots, plans and staff), then writes ``--bookings`` past bookings set-based
(spread over 900 days before today across every base, slot and organisation, 8 in 10 visited, the rest
no-shows, cancelled or declined) with their slot days. Then it times, server side through Django's test
client with an API token (so routing, authentication, serialisation and the queries all count), the month's
availability of a base (the API and the base's page) and a booking itself (the API's POST, each on a new date
so every one takes places), and prints median, p90 and queries against the goal (< 50 ms each, issue 14).
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Loader, scatter, throwaway_database  # noqa: E402  (bench/ is on the path when run)

GOAL_MS = 50
SLOWEST = int(os.environ.get("BENCH_SLOWEST", "0"))  # print the N slowest queries of each measure's last call
BIG_TABLES = ["bookings_booking", "bookings_slotday"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bases", type=int, default=100)
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="20,000 past bookings")
    args = parser.parse_args()
    if args.quick:
        args.bookings = 20_000
    if args.bases < 34 or args.bookings < 1000 or args.calls < 3:
        parser.error("at least the demo's 34 bases, 1,000 bookings and 3 calls")
    return args


def main() -> None:
    args = parse_args()
    where, clean_up = throwaway_database("gg-bench-bookings-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from gridgov import demo

        call_command("migrate", interactive=False, verbosity=0)
        print(f"bookings · {where} · {args.bases} bases, {args.bookings:,} past bookings, {args.calls} calls each",
              flush=True)
        started = time.perf_counter()
        demo.seed_demo()
        print(f"  demo seeded in {time.perf_counter() - started:.1f} s", flush=True)
        grow_catalogue(args.bases)
        load_past(args.bookings)
        measure(args.calls)
    finally:
        clean_up()


def grow_catalogue(wanted: int) -> None:
    """Copy the demo's bases (slots, plans, staff, liaison pools) until there are ``wanted``."""
    from gridgov.bookings.models import Base

    originals = list(Base.objects.prefetch_related("slots", "plans__liaisons", "staff").order_by("pk"))
    copy = 0
    while Base.objects.count() < wanted:
        source = originals[copy % len(originals)]
        copy += 1
        slots, plans, staff = list(source.slots.all()), list(source.plans.all()), list(source.staff.all())
        base = Base.objects.get(pk=source.pk)
        base.pk, base.code, base.name = None, f"{source.code[:24]}-c{copy}", f"{source.name}（{copy}）"
        base.save()
        base.staff.set(staff)
        for slot in slots:
            slot.pk, slot.base = None, base
            slot.save()
        for plan in plans:
            liaisons = list(plan.liaisons.all())
            plan.pk, plan.base = None, base
            plan.save()
            plan.liaisons.set(liaisons)


def load_past(count: int) -> None:
    """``count`` bookings dated 1–900 days before today, and the slot days they fill."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gridgov.bookings.models import BaseSlot, Plan
    from gridgov.orgs.models import Node, NodeKind, Person

    started = time.perf_counter()
    loader = Loader(connection)
    slots = list(BaseSlot.objects.order_by("pk").values_list("pk", "base_id", "capacity"))
    first_plan = dict(Plan.objects.order_by("-pk").values_list("base_id", "pk"))  # one plan per base is enough
    organisations = list(Node.objects.filter(kind__in=[NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.GRID])
                         .values_list("pk", flat=True))
    booker = Person.objects.order_by("pk").values_list("pk", flat=True).first()
    loader.execute("CREATE TABLE bench_slot (idx bigint PRIMARY KEY, slot_id bigint, base_id bigint, plan_id bigint, "
                   "capacity bigint)", "CREATE TABLE bench_org (idx bigint PRIMARY KEY, node_id bigint)")
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_slot VALUES (%s, %s, %s, %s, %s)",
                           [(i, pk, base, first_plan[base], capacity) for i, (pk, base, capacity) in enumerate(slots)])
        cursor.executemany("INSERT INTO bench_org VALUES (%s, %s)", list(enumerate(organisations)))
    today = timezone.localdate()
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    slot_of = lambda column: f"(SELECT {column} FROM bench_slot WHERE idx = n %% {len(slots)})"  # noqa: E731
    org = f"(SELECT node_id FROM bench_org WHERE idx = {scatter('n', 7919)} %% {len(organisations)})"
    back = f"(1 + (n / {len(slots)}) %% 900)"  # a slot's bookings on distinct days (past 900 per slot, a few share)
    if loader.postgres:
        day = f"(DATE '{today.isoformat()}' - CAST({back} AS integer))"
        starts = f"(CAST({day} AS timestamp) + INTERVAL '1 hour')"
    else:
        day = f"date('{today.isoformat()}', '-' || {back} || ' days')"
        starts = f"({day} || ' 01:00:00')"
    draw = f"({scatter('n', 104729)} %% 100)"
    state = (f"CASE WHEN {draw} < 80 THEN 'attended' WHEN {draw} < 86 THEN 'no_show' WHEN {draw} < 94 "
             f"THEN 'cancelled' ELSE 'rejected' END")
    with loader.loading(BIG_TABLES), transaction.atomic():
        loader.insert("bookings_booking", [
            "organisation_id", "plan_id", "base_id", "slot_id", "date", "starts_at", "headcount", "booked_by_id",
            "contact_phone", "note", "state", "needs_second_review", "handed_over", "decision_reason",
            "idempotency_key", "trip", "created_at", "updated_at"],
            f"{org}, {slot_of('plan_id')}, {slot_of('base_id')}, {slot_of('slot_id')}, {day}, {starts}, "
            f"1 + {scatter('n', 31)} %% 30, {booker}, '', '', {state}, %s, %s, '', '', '', %s, %s",
            count, [False, False, at, at])
        loader.execute(
            "INSERT INTO bookings_slotday (slot_id, date, capacity, booked_people, bookings) "
            "SELECT b.slot_id, b.date, MAX(s.capacity), CASE WHEN SUM(b.headcount) > MAX(s.capacity) THEN MAX(s.capacity) "
            "ELSE SUM(b.headcount) END, COUNT(*) FROM bookings_booking b JOIN bench_slot s ON s.slot_id = b.slot_id "
            "WHERE b.created_at = b.updated_at AND NOT EXISTS (SELECT 1 FROM bookings_slotday d WHERE d.slot_id = b.slot_id "
            "AND d.date = b.date) GROUP BY b.slot_id, b.date")  # the demo's own days are already there
    loader.execute("DROP TABLE bench_slot", "DROP TABLE bench_org")
    print(f"  {count:,} past bookings in {time.perf_counter() - started:.1f} s ({loader.seconds})", flush=True)


def timed(call, calls: int) -> tuple[float, float, int]:
    from django.db import connection, reset_queries

    times, queries = [], 0
    for number in range(calls):
        reset_queries()
        started = time.perf_counter()
        call(number)
        times.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    times.sort()
    for query in sorted(connection.queries, key=lambda query: -float(query["time"]))[:SLOWEST]:
        print(f"      {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
    return statistics.median(times), times[int(len(times) * 0.9) - 1], queries


def measure(calls: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from gridgov.bookings import selectors
    from gridgov.bookings.models import Base, Booking
    from gridgov.orgs.models import Person
    from gridgov.orgs.services import api_token_create

    settings.DEBUG = True  # count the queries
    base = Base.objects.order_by("pk").first()
    plan, slot = base.plans.order_by("pk").first(), base.slots.order_by("starts_at").first()
    cadre = Person.objects.filter(user__username="street").first()
    organisation = selectors.organisations_for_booking(cadre)[0]
    _token, secret = api_token_create(actor=cadre, label="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    month = (timezone.localdate().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    taken = set(Booking.objects.filter(organisation=organisation, slot=slot).values_list("date", flat=True))
    today = timezone.localdate()
    open_days = [day["date"] for day in selectors.availability(base=base, first=today + timedelta(days=2),
                                                               last=today + timedelta(days=178))
                 if day["open"] and day["date"] not in taken
                 and next(entry["left"] for entry in day["slots"] if entry["slot"].pk == slot.pk) >= 5]
    if len(open_days) < calls:
        sys.exit(f"only {len(open_days)} open days to book on; use --calls {len(open_days)}")

    def availability(_number):
        response = client.get(f"/api/v1/bookings/bases/{base.code}/availability?month={month}")
        assert response.status_code == 200, response.content

    def base_page(_number):
        assert client.get(f"/bookings/bases/{base.code}/").status_code == 200

    def book(number):
        body = {"organisation": organisation.code, "plan_id": plan.pk, "slot_id": slot.pk,
                "date": open_days[number].isoformat(), "headcount": 5}
        response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=f"bench-{number}")
        assert response.status_code == 201, response.content

    print(f"  {Booking.objects.count():,} bookings on {Base.objects.count()} bases", flush=True)
    print(f"  {'measure':<34}{'median ms':>10}{'p90 ms':>9}{'queries':>9}{'× goal':>8}")
    for label, call in [("availability of a month (API)", availability), ("base page (14 days)", base_page),
                        ("booking (API POST)", book)]:
        median, p90, queries = timed(call, calls)
        print(f"  {label:<34}{median:>10.1f}{p90:>9.1f}{queries:>9}{median / GOAL_MS:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
