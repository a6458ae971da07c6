"""What households feed the shared engines: the visits members owe (a link's next visit is due; the scan alerts
the member, then the grid leader, 网格长, or without one whom the member answers to), the patrol rounds workers
owe (due at their window's end, given out by the scan's follow-up), and the badge of visits due."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.households.models import BulletinEntry, Link, PatrolRound
from gridgov.navigation import register_badge
from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.orgs.models import Role

VISIT_ITEM = "hh_visit"  # the item type of households' alerts
BRANCH_ITEM = "hh_branch"  # a black-listed branch's records, due after the bulletin


def _alert_title(row: dict) -> str:
    return f"{_('Visit due')} · {row['household__address'] or row['household__house_number']}"


def _visits_due(person):
    return Link.objects.filter(member=person, ended_at__isnull=True, visit_due_at__lt=timezone.now())


def register() -> None:
    register_badge("visits_due", _visits_due)
    register_deadlines(DeadlineSource(
        code=VISIT_ITEM, label=_("Household visit"), model=Link, url_name="households:link", title=_alert_title,
        due_field="visit_due_at", stage_field="state", handler_field="member_id", node_field="node",
        fields=("household__address", "household__house_number"), open=Q(ended_at__isnull=True),
        escalate_to=(Role.GRID_LEADER,),  # a missed visit alerts the grid leader (网格长), then the community
    ))
    from gridgov.households import villages

    register_kind(Kind(villages.REMINDER_KIND, _("Village on the black list")))
    register_deadlines(DeadlineSource(
        code=BRANCH_ITEM, label=_("Branch records"), model=BulletinEntry, url_name="households:bulletin_entry",
        title=_branch_title, due_field="due_at", stage_field="state", handler_field="handler_id", node_field="node",
        fields=("node__name",), open=Q(state=villages.LAGGING),
        after_scan=villages.bulletins_due, after_scan_label=_("village bulletins computed"),
    ))
    from gridgov.households import patrols

    # A round is due at its window's end; a reminder half an hour before, the grid leader an hour after.
    register_deadlines(DeadlineSource(
        code=patrols.PATROL_ITEM, label=_("Patrol check-in"), model=PatrolRound, url_name="households:patrol_round",
        title=_patrol_title, due_field="due_at", stage_field="state", handler_field="worker_id", node_field="node",
        fields=("window__label", "day"), open=Q(state=patrols.DUE), due_soon=timedelta(minutes=30),
        grace=timedelta(hours=1), minute_precision=True, escalate_to=(Role.GRID_LEADER,),
        after_scan=patrols.rounds_due, after_scan_label=_("patrol rounds given out"),
    ))


def _patrol_title(row: dict) -> str:
    return f"{_('Patrol check-in')} · {row['window__label']} · {row['day']:%m-%d}"


def _branch_title(row: dict) -> str:
    return f"{_('Upload the branch records')} · {row['node__name']}"
