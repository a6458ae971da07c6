"""What reports feed the shared engines: their deadlines (the scan alerts the handler, then the cadre above),
their events for the indices (reports resolved, on time or late) and the kind of message they send (``inbox``).
Registered in ``apps.ready``."""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.indices.sources import Source
from gridgov.indices.sources import register as register_events
from gridgov.navigation import register_badge
from gridgov.reports import inbox, selectors
from gridgov.reports.models import Report, ReportState
from gridgov.reports.services import REPORT_ITEM, reports_auto_close_due


def _alert_title(row: dict) -> str:
    return f"#{row['item_id']} {row['category__name']} · {ReportState(row['stage']).label}"


def _alert_words(row: dict) -> str:
    return f"{row['category__name']} · {ReportState(row['stage']).label}"


def register() -> None:
    inbox.register()
    register_badge("work_orders", lambda person: selectors.handler_queue(person=person))
    register_deadlines(DeadlineSource(
        code=REPORT_ITEM, label=_("Resident report"), model=Report, url_name="reports:detail", title=_alert_title,
        words=_alert_words,
        handler_field="handler_id", fields=("category__name",),
        after_scan=lambda now: reports_auto_close_due(now=now), after_scan_label=_("reports closed automatically"),
    ))
    register_events(Source(
        code="report_resolved", label=_("Resident reports resolved"), model=Report, date_field="resolved_at",
        is_datetime=True, person_field="handler_id", node_path_field="node__path",
        success=Q(resolved_at__lte=F("resolution_due_at")), base=Q(resolved_at__isnull=False),
        filters={"on_time": lambda v: Q(resolved_at__lte=F("resolution_due_at")) if v else
                 Q(resolved_at__gt=F("resolution_due_at")), "category": lambda v: Q(category__code=v)},
        describe_fields=("text", "resolved_at", "resolution_due_at"),
    ))
