"""The demo street and ``gridgov stats``: two lists that apps append their own entries to.

``SEEDERS`` are dotted paths to ``seed(*, rng: random.Random, out: DemoOutput) -> None``; they run in
this order, in one transaction, each with its own ``random.Random`` derived from the demo seed and its
path (so adding a seeder never changes what the others generate). A seeder reports the logins worth
printing with ``out.login(...)`` and gives every demo account ``out.password_hash``.

``STATS`` are dotted paths to functions returning a dict; ``gridgov stats`` prints their union.

A later app adds itself with one line each, e.g. in ``gridgov/demo.py``:
``"gridgov.rewards.demo.seed"`` after the orgs entry, ``"gridgov.rewards.selectors.rewards_stats"``.
"""

import random
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

SEEDERS = [
    "gridgov.orgs.demo.seed",
    "gridgov.geo.demo.seed",
    "gridgov.ledger.demo.seed",
    "gridgov.tasks.demo.seed",
    "gridgov.rewards.demo.seed",
    "gridgov.reports.demo.seed",
    "gridgov.bookings.demo.seed",
    "gridgov.volunteers.demo.seed",
    "gridgov.households.demo.seed",
    "gridgov.indices.demo.seed",
    "gridgov.ledger.demo.seed_checkpoint",  # last: it signs every posting the seeders above made
]

STATS = [
    "gridgov.orgs.selectors.orgs_stats",
    "gridgov.geo.selectors.geo_stats",
    "gridgov.ledger.selectors.ledger_stats",
    "gridgov.tasks.selectors.tasks_stats",
    "gridgov.rewards.selectors.rewards_stats",
    "gridgov.reports.selectors.reports_stats",
    "gridgov.bookings.selectors.bookings_stats",
    "gridgov.volunteers.selectors.volunteers_stats",
    "gridgov.households.selectors.households_stats",
    "gridgov.deadlines.selectors.deadlines_stats",
    "gridgov.indices.selectors.indices_stats",
    "gridgov.notifications.selectors.messages_stats",
]

DEMO_SEED = 3  # after seed document 003, which describes 浮云街道
DEMO_PASSWORD = "gridgov-demo"


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    note: str
    password: str = DEMO_PASSWORD


class DemoOutput:
    """What the seeders hand back to ``gridgov demo``: the logins to print."""

    def __init__(self):
        self.logins: list[Login] = []
        self.seconds: dict[str, float] = {}  # seeder path → time it took
        self._password_hash = ""

    def login(self, role_label: str, username: str, password: str = DEMO_PASSWORD, note: str = "") -> None:
        self.logins.append(Login(str(role_label), username, str(note), password))

    @property
    def password_hash(self) -> str:
        """One hash of the demo password for every demo account: hashing thousands would take minutes."""
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash


def collect_stats() -> dict:
    result: dict = {}
    for path in STATS:
        result.update(import_string(path)())
    return result


def seed_demo(*, seed: int = DEMO_SEED) -> DemoOutput:
    """Run every seeder in one transaction and write one audit record for the whole demo."""
    from gridgov.audit.services import audit_record
    from gridgov.orgs.demo import STREET_CODE
    from gridgov.orgs.models import Node
    from gridgov.orgs.permissions import SYSTEM

    out = DemoOutput()
    with transaction.atomic():
        for path in SEEDERS:
            started = time.perf_counter()
            import_string(path)(rng=random.Random(f"{seed}:{path}"), out=out)
            _refresh_planner_statistics()
            out.seconds[path] = time.perf_counter() - started
        logins = [{k: v for k, v in asdict(login).items() if k != "password"} for login in out.logins]
        audit_record(
            actor=SYSTEM, role="system", action="demo.seed", node=Node.objects.filter(code=STREET_CODE).first(),
            after={"seed": seed, "seeders": SEEDERS, "counts": collect_stats(), "logins": logins},
        )
    return out


def _refresh_planner_statistics() -> None:
    """After a seeder's bulk inserts, let PostgreSQL's planner see the new table sizes: without it the next
    seeder's queries are planned for empty tables (nested loops over thousands of rows) and run a minute."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_demo_if_empty(*, seed: int = DEMO_SEED) -> DemoOutput | None:
    """Seed only a database without any organisation; None when there already is a tree."""
    from gridgov.orgs.models import Node

    if Node.objects.exists():
        return None
    return seed_demo(seed=seed)


def recorded_logins() -> list[Login]:
    """The logins printed when the demo was seeded, read back from its audit record."""
    from gridgov.audit.models import AuditRecord

    record = AuditRecord.objects.filter(action="demo.seed").order_by("-created_at", "-id").first()
    if record is None or not record.after:
        return []
    return [Login(row["role"], row["username"], row["note"]) for row in record.after.get("logins", [])]


# ---------------------------------------------------------------- the demo month's clock
# When things happen in the demo month: on working days, in working hours (Asia/Shanghai), never at night.
#
# Seeders compute a moment from the one before (published, then claimed a few hours later, …) and pass it
# through ``at_work`` so a step done "20 hours later" lands on the next working morning instead of at 04:00.

# Mornings and afternoons of a working day; residents also report in the evening (``evening=True``).
WORK_HOURS = ((clock_time(8, 30), clock_time(12, 0)), (clock_time(14, 0), clock_time(18, 0)))
EVENING_HOURS = ((clock_time(19, 0), clock_time(21, 30)),)
SATURDAY = 5


def at_work(moment: datetime, *, rng: random.Random, not_after: datetime | None = None,
            evening: bool = False) -> datetime:
    """``moment`` if it falls in working hours of a working day, else a little after the next start of work
    (a few minutes to an hour in, as people do); if that would pass ``not_after``, the latest working moment
    before ``not_after`` instead."""
    windows = WORK_HOURS + (EVENING_HOURS if evening else ())
    local = timezone.localtime(moment)
    for _day in range(8):
        if local.weekday() < SATURDAY:
            for start, end in windows:
                if local.time() < start:
                    local = _on(local, start) + timedelta(minutes=rng.randint(3, 55))
                if local.time() < end:
                    return _bounded(local, rng=rng, not_after=not_after, windows=windows)
        local = _on(local + timedelta(days=1), clock_time(0, 0))
    return _bounded(local, rng=rng, not_after=not_after, windows=windows)


def _bounded(local: datetime, *, rng, not_after, windows) -> datetime:
    if not_after is None or local <= not_after:
        return local
    latest = timezone.localtime(not_after)
    for _day in range(8):
        if latest.weekday() < SATURDAY:
            for start, end in reversed(windows):
                if latest.time() >= end:
                    latest = _on(latest, end) - timedelta(minutes=rng.randint(5, 40))
                if latest.time() >= start:
                    return latest
        latest = _on(latest - timedelta(days=1), clock_time(23, 59))
    return latest


def _on(local: datetime, at: clock_time) -> datetime:
    return local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)


def end_of_working_day(moment: datetime) -> datetime:
    """18:00 on the working day of ``moment`` (the next one at a weekend): how deadlines are set."""
    local = timezone.localtime(moment)
    while local.weekday() >= SATURDAY:
        local += timedelta(days=1)
    return _on(local, clock_time(18, 0))
