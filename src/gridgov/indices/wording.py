"""Rule sets in words: an indicator's source, filter and events as a person reads them, never as codes or reprs.

The rule set stores codes (``report_resolved``, ``{"on_time": true}``, ``serve-enterprise``): the engine and
the API match on them. Pages show these words instead; a value nobody has named is shown as the installation
typed it, never as a Python repr.
"""

from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from gridgov.indices.sources import INDEX_SOURCE, SOURCES

FILTER_LABELS = {
    "action": _("action"),
    "action_prefix": _("actions of"),
    "adopted": _("adopted"),
    "category": _("category"),
    "held": _("held"),
    "item": _("item"),
    "kind": _("kind"),
    "module": _("module"),
    "on_time": _("on time"),
    "present": _("present"),
    "reason": _("reason"),
    "reason_contains": _("reason contains"),
    "required": _("required"),
    "work_type": _("work type"),
}

# The assessment items the shipped schemes name; an installation's own items show as it typed them.
ITEM_LABELS = {
    "bonus": _("pioneer bonus"),
    "deduction": _("deduction"),
    "downgrade": _("downgrade item"),
    "fortress": _("branch review"),
    "fortress-veto": _("veto item"),
    "serve-enterprise": _("serving enterprises"),
    "study": _("study credits"),
}


def source_label(code: str) -> str:
    if code == INDEX_SOURCE:
        return str(_("Another index"))
    source = SOURCES.get(code)
    return str(source.label) if source else str(_("Unknown source"))


def value_text(value, *, key: str = "") -> str:
    """One stored value in words: yes/no, a date, a named item or action, a number without negative zero."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                                   "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (int, float)) or hasattr(value, "as_tuple"):
        return number_text(value)
    if isinstance(value, (list, tuple)):
        return "、".join(value_text(each, key=key) for each in value)
    if isinstance(value, dict):
        return "；".join(f"{FILTER_LABELS.get(k, k)}：{value_text(v, key=k)}" for k, v in value.items())
    text = str(value)
    if key in ("item", "") and text in ITEM_LABELS:
        return str(ITEM_LABELS[text])
    return text


def number_text(value) -> str:
    """Up to two decimals, no trailing zeros, and never ``-0``."""
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def filter_text(filter_: dict) -> str:
    """``{"on_time": False}`` → "按时：否"."""
    return "；".join(f"{FILTER_LABELS.get(key, key)}：{value_text(value, key=key)}" for key, value in filter_.items())


def event_text(event: dict) -> str:
    """One event of an explanation, its described fields in words (the primary key left out)."""
    words = []
    for key, value in event.items():
        if key == "pk" or value in ("", None):
            continue
        field = key.rsplit("__", 1)[-1]
        text = value_text(value, key=field)
        words.append(f"{FILTER_LABELS.get(field, field)}：{text}" if isinstance(value, bool) else text)
    return " · ".join(words)
