"""What volunteers feed the shared engines: the needs' windows (minute precision: publish and claim; then the
hours to serve), the next waves of messages and the service days' needs as the scans' follow-ups, their message
kinds and badges."""

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.navigation import register_badge
from gridgov.orgs.models import Role
from gridgov.volunteers import calendar, inbox, selectors, waves
from gridgov.volunteers.models import QUICK_STATES, Need, NeedState
from gridgov.volunteers.services import QUICK_ITEM, SERVE_ITEM


def _title(row: dict) -> str:
    return f"{row['title']} · {NeedState(row['stage']).label}"


def register() -> None:
    inbox.register()
    register_badge("volunteer_square", lambda person: selectors.needs_square(person=person))
    waits = {NeedState.SUBMITTED: Role.COMMUNITY_CADRE, NeedState.PUBLISHED: Role.COMMUNITY_CADRE,
             NeedState.CLAIMED: Role.COMMUNITY_CADRE}
    register_deadlines(DeadlineSource(
        code=QUICK_ITEM, label=_("Volunteer need (publish and claim)"), model=Need, url_name="volunteers:need",
        title=_title, fields=("title",), waits_on=waits, open=Q(state__in=QUICK_STATES),
        due_soon=timedelta(minutes=1), grace=timedelta(minutes=5), minute_precision=True,
        after_scan=lambda now: waves.send_due_waves(now=now), after_scan_label=_("waves of volunteer messages"),
    ))
    register_deadlines(DeadlineSource(
        code=SERVE_ITEM, label=_("Volunteer need (service)"), model=Need, url_name="volunteers:need",
        title=_title, fields=("title",), waits_on=waits, open=Q(state=NeedState.CLAIMED),
        due_soon=timedelta(hours=2), grace=timedelta(hours=12), minute_precision=True,
        after_scan=lambda now: calendar.generate(now=now), after_scan_label=_("needs posted for service days"),
    ))
