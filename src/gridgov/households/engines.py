"""What households feed the shared engines: the visits members owe (a link's next visit is due; the scan alerts
the member, then whom they answer to, the grid leader for a grid worker), and the badge of visits due."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.households.models import Link
from gridgov.navigation import register_badge

VISIT_ITEM = "hh_visit"  # the item type of households' alerts


def _alert_title(row: dict) -> str:
    return f"{_('Visit due')} · {row['household__address'] or row['household__house_number']}"


def _visits_due(person) -> int:
    return Link.objects.filter(member=person, ended_at__isnull=True, visit_due_at__lt=timezone.now()).count()


def register() -> None:
    register_badge("visits_due", _visits_due)
    register_deadlines(DeadlineSource(
        code=VISIT_ITEM, label=_("Household visit"), model=Link, url_name="households:link", title=_alert_title,
        due_field="visit_due_at", stage_field="state", handler_field="member_id", node_field="node",
        fields=("household__address", "household__house_number"), open=Q(ended_at__isnull=True),
    ))
