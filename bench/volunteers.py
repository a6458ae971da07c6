"""Bench: volunteer service at speed (issue #16's figures; not a timed test).

    .venv/bin/python bench/volunteers.py --quick               # 2,000 volunteers, 10,000 open needs
    .venv/bin/python bench/volunteers.py                       # 2,000 volunteers, 100,000 open needs
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything .venv/bin/python bench/volunteers.py

Measures, on a fresh database dropped afterwards:
- a call-out to every volunteer of a community (``--volunteers``, 2,000): the time from the call until every
  notification is stored (goal < 5 s);
- a need's submission to its first wave of notifications: the work time of ``need_submit`` (goal < 2 s; by the
  clock the publish window is met in the submitting transaction);
- the minute-precision scan (``gridgov deadlines watch``) with ``--needs`` open needs, a tenth of them past
  their 8-minute claim window: the time of one scan (goal: well under its 20 s interval, so an alert fires
  within 30 s of the 8th minute);
- on PostgreSQL only: 1,000 claims in real threads (``--threads`` at a time) on 100 needs of 5 places each,
  asserting that no need is over-claimed.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import throwaway_database  # noqa: E402  (bench/ is on the path when run)


def volunteers_of(street, count):
    from gridgov.orgs.models import Person, Role, RoleAssignment
    from gridgov.volunteers.models import Volunteer

    people = Person.objects.bulk_create(Person(name=f"志愿者{i}") for i in range(count))
    micros = [street.micro_a1, street.micro_a2, street.micro_b1]
    RoleAssignment.objects.bulk_create(RoleAssignment(person=p, node=micros[i % 3], role=Role.RESIDENT)
                                       for i, p in enumerate(people))
    Volunteer.objects.bulk_create(Volunteer(person=p, node=micros[i % 3], latitude=28.1 + i * 1e-5,
                                            longitude=119.5) for i, p in enumerate(people))
    return people


def open_needs(street, count, now):
    from gridgov.volunteers.models import Category, Need, NeedState

    category = Category.objects.get(code="wish")
    rows = [Need(category=category, node=street.micro_a1, requester=street.resident, title=f"需求{i}", place="东门路",
                 starts_at=now + timedelta(hours=2), state=NeedState.PUBLISHED, published_at=now,
                 due_at=now + (timedelta(minutes=-1) if i % 10 == 0 else timedelta(minutes=8)), wave=4)
            for i in range(count)]
    Need.objects.bulk_create(rows, batch_size=5000)


def claims_race(street, people, threads):
    import threading

    from django.db import connections

    from gridgov.errors import DomainError
    from gridgov.volunteers import services
    from gridgov.volunteers.models import Need

    needs = [services.need_submit(actor=street.resident, category=services.Category.objects.get(code="wish"),
                                  node=street.micro_a1, title=f"抢单{i}", place="东门路",
                                  starts_at=time_now() + timedelta(hours=1), helpers=5) for i in range(100)]
    jobs = [(people[i % len(people)], needs[i % 100]) for i in range(1000)]
    lock, outcome = threading.Lock(), {"claimed": 0, "refused": 0}

    def run(part):
        try:
            for helper, need in part:
                try:
                    services.need_claim(actor=helper, need=need)
                    key = "claimed"
                except DomainError:
                    key = "refused"
                with lock:
                    outcome[key] += 1
        finally:
            connections.close_all()

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(jobs[index::threads],)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    over = Need.objects.filter(pk__in=[n.pk for n in needs], claimed__gt=5).count()
    counted = sum(n.claims.exclude(state="withdrawn").count() for n in Need.objects.filter(pk__in=[n.pk for n in needs]))
    assert over == 0 and counted == outcome["claimed"] <= 500, (over, counted, outcome)
    return seconds, outcome


def time_now():
    from django.utils import timezone

    return timezone.now()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=2000)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="10,000 open needs")
    options = parser.parse_args()
    if options.quick:
        options.needs = 10_000
    where, cleanup = throwaway_database("gg-bench-volunteers-")
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from gridgov.deadlines.scan import scan_deadlines
        from gridgov.notifications.models import Message
        from gridgov.testing.factories import Street
        from gridgov.volunteers import callouts, services
        from gridgov.volunteers.models import Category

        street = Street()
        people = volunteers_of(street, options.volunteers)
        print(f"{where}: {options.volunteers:,} volunteers, {options.needs:,} open needs")

        started = time.perf_counter()
        callout = callouts.callout_raise(actor=street.community_cadre, node=street.community, kind="flood",
                                         title="水位超警戒", target=500, assembly_point="东门广场")
        seconds = time.perf_counter() - started
        stored = Message.objects.filter(url__endswith=f"/callouts/{callout.pk}/").count()
        print(f"  call-out to {callout.told:,} volunteers: {stored:,} notifications stored in {seconds:.2f} s "
              f"(goal < 5 s: {seconds / 5:.0%} of it)")

        started = time.perf_counter()
        need = services.need_submit(actor=street.resident, category=Category.objects.get(code="wish"),
                                    node=street.micro_a1, title="帮忙买药", place="东门路1号",
                                    starts_at=time_now() + timedelta(hours=1))
        seconds = time.perf_counter() - started
        told = Message.objects.filter(url__endswith=f"/needs/{need.pk}/").count()
        print(f"  need submitted → first wave ({told:,} told): {seconds * 1000:.0f} ms of work (goal < 2 s)")

        started = time.perf_counter()
        open_needs(street, options.needs, time_now())
        print(f"  {options.needs:,} open needs loaded in {time.perf_counter() - started:.1f} s")
        best = None
        for _run in range(3):
            started = time.perf_counter()
            result = scan_deadlines(now=time_now(), minute_precision_only=True)
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
            print(f"  minute-precision scan: {seconds:.2f} s, raised {result.raised}")
        print(f"  best scan {best:.2f} s: an 8-minute alert fires within {20 + best:.1f} s of the 8th minute "
              f"(goal ≤ 30 s)")

        if connection.vendor == "postgresql":
            seconds, outcome = claims_race(street, people, options.threads)
            print(f"  1,000 claims on 100 needs of 5 places in {options.threads} threads: {outcome['claimed']} held, "
                  f"{outcome['refused']} refused, none over-claimed, {seconds:.1f} s")
        else:
            print("  concurrent claims: skipped (needs PostgreSQL: set GRIDGOV_DATABASE_URL)")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
