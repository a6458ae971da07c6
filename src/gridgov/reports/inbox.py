"""What reports put in people's inboxes: a work order that becomes theirs (filed and routed to them, reassigned,
escalated) or theirs again (reopened by the reporter's bad rating). Lateness is the deadline engine's message. The kind is registered from ``engines.register``; the
services call ``work_order_assigned`` inside their transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import notify, phrase
from gridgov.reports.workflow import Event

WORK_ORDER = "work_order"
PREVIEW = 120
TITLES = {
    "submit": _("New work order: %(category)s"),
    Event.REASSIGN: _("Work order handed to you: %(category)s"),
    Event.ESCALATE: _("Work order escalated to you: %(category)s"),
    Event.REOPEN: _("Work order reopened after a bad rating: %(category)s"),
}


def register() -> None:
    register_kind(Kind(WORK_ORDER, _("Work order"), summary=_("%(count)s work orders are now yours to handle"),
                       group_window=timedelta(hours=1), grouped_url="reports:queue"))


def work_order_assigned(report, event: str, *, actor, now) -> None:
    """The new handler hears of it, unless they made themselves the handler."""
    if report.handler_id is None or report.handler_id == getattr(actor, "pk", None):
        return
    text = report.text if len(report.text) <= PREVIEW else report.text[: PREVIEW - 1] + "…"
    notify(kind=WORK_ORDER, recipients=[report.handler_id], title=phrase(TITLES[event], category=report.category.name),
           body=text, url=reverse("reports:detail", args=[report.pk]), node=report.node, group_key="work_orders",
           now=now)
