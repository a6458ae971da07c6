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

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.module_loading import import_string

SEEDERS = [
    "gridgov.orgs.demo.seed",
    "gridgov.geo.demo.seed",
    "gridgov.ledger.demo.seed",
    "gridgov.tasks.demo.seed",
    "gridgov.rewards.demo.seed",
    "gridgov.reports.demo.seed",
    "gridgov.bookings.demo.seed",
    "gridgov.indices.demo.seed",
]

STATS = [
    "gridgov.orgs.selectors.orgs_stats",
    "gridgov.geo.selectors.geo_stats",
    "gridgov.ledger.selectors.ledger_stats",
    "gridgov.tasks.selectors.tasks_stats",
    "gridgov.rewards.selectors.rewards_stats",
    "gridgov.reports.selectors.reports_stats",
    "gridgov.bookings.selectors.bookings_stats",
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
