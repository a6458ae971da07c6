"""Call-outs (紧急动员): a cadre asks every volunteer of an area to come now; each answers once, 到 or 不能到.

The area is a node's subtree (a grid, a community, the street), optionally narrowed to a radius around a point
(volunteers with a registered location inside it). Everyone is told in one fan-out (two statements whatever
their number, ``notifications.fanout``), inside the transaction that records the call-out.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import Invalid, refusal
from gridgov.limits import location, text_within
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require
from gridgov.volunteers import inbox
from gridgov.volunteers.models import Answer, Callout, CalloutAnswer, CalloutKind, Volunteer
from gridgov.volunteers.selectors import grid_centre
from gridgov.volunteers.services import volunteer_of
from gridgov.volunteers.waves import distance_m

MAX_TARGET = 100_000
MAX_RADIUS_M = 50_000
CALLOUT_FIELDS = ["kind", "title", "target", "assembly_point", "radius_m", "told", "closed_at"]


def callout_recipients(*, node: Node, latitude=None, longitude=None, radius_m=None) -> list[int]:
    """The people a call-out reaches: active volunteers of ``node``'s area (within ``radius_m`` of the point)."""
    rows = (Volunteer.objects.filter(is_active=True, person__is_active=True, node__path__startswith=node.path)
            .values_list("person_id", "latitude", "longitude"))
    if not radius_m:
        return [person_id for person_id, _lat, _lon in rows]
    return [person_id for person_id, lat, lon in rows
            if lat is not None and distance_m(latitude, longitude, lat, lon) <= radius_m]


def callout_raise(*, actor, node: Node, kind: str, title: str, target, assembly_point: str, latitude=None,
                  longitude=None, radius_m=None, idempotency_key: str = "", now=None) -> Callout:
    """Raise a call-out for ``node``'s area and tell every volunteer in it at once."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.callout", node)
    key = str(idempotency_key or "")[:64]
    if key and (first := Callout.objects.filter(raised_by=actor, idempotency_key=key).first()):
        return first
    if kind not in CalloutKind.values:
        raise Invalid(_("Choose the kind of emergency."))
    title = text_within(title, limit=100, label=_("The title"))
    assembly_point = text_within(assembly_point, limit=200, label=_("The assembly point"))
    if not title or not assembly_point:
        raise Invalid(_("Say what happened and where to assemble."))
    try:
        target = int(target)
    except (TypeError, ValueError):
        target = 0
    if not 1 <= target <= MAX_TARGET:
        raise Invalid(_("Ask for 1 to %(max)d people.") % {"max": MAX_TARGET})
    point = location(latitude, longitude)
    if radius_m not in (None, "", 0):
        try:
            radius_m = int(radius_m)
        except (TypeError, ValueError):
            radius_m = 0
        if not 1 <= radius_m <= MAX_RADIUS_M:
            raise Invalid(_("A radius is 1 to %(max)d metres.") % {"max": MAX_RADIUS_M})
        if point is None:
            raise refusal("location_required", _("A radius needs the point at its centre."))
    else:
        radius_m = None
    recipients = callout_recipients(node=node, latitude=point and point[0], longitude=point and point[1],
                                    radius_m=radius_m)
    try:
        with transaction.atomic():
            callout = Callout.objects.create(
                node=node, kind=kind, title=title, target=target, assembly_point=assembly_point,
                latitude=point[0] if point else None, longitude=point[1] if point else None, radius_m=radius_m,
                raised_by=actor, raised_at=now, told=len(recipients), idempotency_key=key)
            inbox.call_out(callout, recipients, now=now)
            audit_record(actor=actor, role=grant.role, action="volunteer.callout", target=callout,
                         after=snapshot(callout, CALLOUT_FIELDS))
    except IntegrityError:
        if key and (first := Callout.objects.filter(raised_by=actor, idempotency_key=key).first()):
            return first
        raise
    return callout


def callout_answer(*, actor, callout: Callout, answer: str, latitude=None, longitude=None,
                   now=None) -> CalloutAnswer:
    """A volunteer of the area answers 到 (coming) or 不能到 (cannot come), once, optionally with the phone's
    location (kept only as shared: the map falls back to the registered location at the time it is drawn, else to
    the centre of their grid's boundary, found here once rather than on every refresh of the map)."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    grant = require(actor, "volunteer.serve", volunteer)
    if not volunteer.node.path.startswith(callout.node.path):
        raise refusal("out_of_scope", _("This call-out is for another area."))
    if answer not in Answer.values:
        raise Invalid(_("Answer coming or cannot come."))
    point = location(latitude, longitude)
    centre = None
    if answer == Answer.COMING and point is None and volunteer.latitude is None:  # the map draws them at their grid
        centre = grid_centre(callout.node, volunteer.node)
    try:
        with transaction.atomic():
            if Callout.objects.filter(pk=callout.pk, closed_at__isnull=False).exists():  # as it is now, not as read
                raise refusal("callout_closed", _("This call-out is over."))
            given = CalloutAnswer.objects.create(
                callout=callout, person=actor, answer=answer, answered_at=now,
                latitude=point[0] if point else None, longitude=point[1] if point else None,
                centre_latitude=centre[0] if centre else None, centre_longitude=centre[1] if centre else None)
            audit_record(actor=actor, role=grant.role, action="volunteer.answer", target=callout,
                         after={"answer": answer})
    except IntegrityError:
        raise refusal("already_answered", _("You have already answered this call-out.")) from None
    return given


def callout_close(*, actor, callout: Callout, now=None) -> Callout:
    now = now or timezone.now()
    grant = require(actor, "volunteer.callout", callout)
    with transaction.atomic():
        callout = Callout.objects.select_for_update().get(pk=callout.pk)
        if callout.closed_at is not None:
            raise refusal("callout_closed", _("This call-out is already over."))
        callout.closed_at = now
        callout.save(update_fields=["closed_at"])
        audit_record(actor=actor, role=grant.role, action="volunteer.callout_close", target=callout,
                     after=snapshot(callout, CALLOUT_FIELDS))
    return callout
