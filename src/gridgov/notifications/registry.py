"""What a message can be about: each app registers the kinds of message it sends (from its ``engines.py`` or
``AppConfig.ready``), the way it registers deadline sources and permission actions.

A kind says how people call such messages (``label``), how a message standing for several events is titled
(``summary``, with ``%(count)s``), how close together events must come to share one message
(``group_window``; None: every event is a message of its own) and which page a grouped message opens
(``grouped_url``: a list rather than the latest item). ``notify`` refuses an unregistered kind, as
``permissions.require`` refuses an unknown action.
"""

from dataclasses import dataclass
from datetime import timedelta

MAX_CODE = 40  # the Message.kind column


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # what such a message is about, for people ("新任务")
    summary: str = ""  # the title of a message standing for several events, e.g. "网格内有 %(count)s 个新任务"
    group_window: timedelta | None = None  # events within this time of a message's first one join it
    grouped_url: str = ""  # a URL name (no arguments) that a grouped message opens instead of the latest item's


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Add a kind. Registering a code twice must describe the same kind."""
    if not kind.code or len(kind.code) > MAX_CODE:
        raise ValueError(f"message kind {kind.code!r} needs 1 to {MAX_CODE} characters")
    if kind.group_window is not None and not kind.summary:
        raise ValueError(f"message kind {kind.code!r} groups events, so it needs a summary")
    known = KINDS.get(kind.code)
    if known is not None and known != kind:
        raise ValueError(f"message kind {kind.code!r} is already registered differently")
    KINDS[kind.code] = kind


def kind_of(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown message kind {code!r} (gridgov.notifications.registry.register)") from None


def label_of(code: str) -> str:
    """The kind's label for people; a kind no longer registered shows no code, just nothing."""
    kind = KINDS.get(code)
    return str(kind.label) if kind else ""
