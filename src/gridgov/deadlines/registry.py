"""What comes due: each app registers its deadline sources here (in its ``AppConfig.ready``), the way it
registers its permission actions. The engine (``scan``) reads only what a source declares.

A source is a model whose rows carry the moment by which someone must act (``due_field``, indexed, null
once nobody has to) and the stage that deadline belongs to (``stage_field``). When the row's stage or due
time changes, its open alerts are closed by the next scan (or at once, by the owner's service calling
``scan.close_alerts``). Everything else the alert needs is named by field paths.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.db.models import Q

DUE_SOON = timedelta(hours=4)
WATCH_SECONDS = 20  # how often ``gridgov deadlines watch`` scans the minute-precision sources
GRACE = timedelta(hours=24)


@dataclass(frozen=True)
class DeadlineSource:
    code: str  # the alerts' item_type; at most 10 characters
    label: str  # what the item is, for people ("居民报事")
    model: type[models.Model]
    url_name: str  # the item's page, reversed with the item's pk
    title: Callable[[dict], str]  # the alert's title from the row's ``fields``
    words: Callable[[dict], str] | None = None  # the item in a message's words (no ids); default: ``title``
    due_field: str = "due_at"
    stage_field: str = "state"
    node_field: str = "node"  # a foreign key to orgs.Node
    handler_field: str = "handler_id"  # whose move it is, unless ``waits_on`` names a role for the stage
    fields: tuple[str, ...] = ()  # more values the title needs
    waits_on: dict[str, str] = field(default_factory=dict)  # stage -> role whose move it is (nearest holder)
    open: Q = field(default_factory=Q)  # rows that can be late at all (besides having a due time)
    due_soon: timedelta = DUE_SOON  # level 0 is raised this long before the due time
    grace: timedelta = GRACE  # level 2 (escalated) this long after it
    after_scan: Callable | None = None  # ``after_scan(now) -> int``: the owner's follow-up (e.g. auto-close)
    after_scan_label: str = ""  # what the follow-up's count means, for ``gridgov deadlines scan``
    minute_precision: bool = False  # also scanned by ``gridgov deadlines watch`` (every 20 s): windows of minutes
    escalate_to: tuple[str, ...] = ()  # roles the escalation goes to first (nearest holder), before whom the
    # handler answers to (e.g. a missed household visit goes to the grid leader, 网格长)


SOURCES: dict[str, DeadlineSource] = {}


def register(source: DeadlineSource) -> None:
    """Add a source. Registering a code twice must describe the same model."""
    if len(source.code) > 10:
        raise ValueError(f"deadline source code {source.code!r} is longer than 10 characters")
    known = SOURCES.get(source.code)
    if known is not None and known.model is not source.model:
        raise ValueError(f"deadline source {source.code!r} is already registered for {known.model}")
    SOURCES[source.code] = source
