"""Registering volunteers; posting, reviewing, claiming, serving and confirming needs (the 3812 flow).

Every change checks the actor with ``orgs.permissions.require`` (a refused attempt is audited there), changes
state in one transaction, writes an audit record and tells whom it concerns. A need's current window is
``due_at`` (publish, then claim, then serve: the category's minutes), watched by the deadline engine; moving to
the next window closes the alerts of the last one at once.

Places are counted on the need row, locked with ``select_for_update`` (SQLite's writers are serialised
anyway): a claim checks what is left and adds one, and ``claimed <= helpers`` is a check constraint, so no
need is over-claimed however many volunteers race (a PostgreSQL thread test). A volunteer claims a need once
(a conditional unique index).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record, snapshot
from gridgov.deadlines.scan import close_alerts
from gridgov.errors import Conflict, DomainError, Invalid, NotFound, PermissionDenied, refusal
from gridgov.geo.selectors import node_at, place_located_report, street_of
from gridgov.households.selectors import members_linked_under
from gridgov.ledger.services import hours_credit
from gridgov.limits import aware, location, text_within
from gridgov.limits import rating as stars
from gridgov.orgs.models import Node, Role
from gridgov.orgs.permissions import SYSTEM, grant_for, require
from gridgov.orgs.tree import nearest_holder, paying_node
from gridgov.volunteers import inbox, totals, waves
from gridgov.volunteers.models import (
    CLAIMABLE_STATES,
    HOLDING_CLAIMS,
    Category,
    Claim,
    ClaimState,
    Need,
    NeedState,
    RequesterKind,
    Volunteer,
)

NEED_FIELDS = ["state", "claimed", "helpers", "due_at", "published_at", "claimed_at", "served_at", "closed_at"]
CLAIM_FIELDS = ["state", "checked_in_at", "checked_out_at", "minutes", "rating"]
QUICK_ITEM, SERVE_ITEM = "volquick", "volserve"  # the item types of the needs' alerts (``engines``)
HORIZON_DAYS = 90  # how far ahead a need may be posted
MAX_HELPERS = 500
REVIEWERS = [Role.COMMUNITY_CADRE, Role.STREET_CADRE]
MAX_TITLE = Need._meta.get_field("title").max_length
MAX_PLACE = Need._meta.get_field("place").max_length
MAX_DESCRIPTION = 2000
MAX_COMPANY = Need._meta.get_field("company").max_length
MAX_SKILLS = Volunteer._meta.get_field("skills").max_length


# ---------------------------------------------------------------- volunteers


def volunteer_register(*, actor, person, node: Node, skills: str = "", is_party_member: bool = False,
                       latitude=None, longitude=None) -> Volunteer:
    """Register ``person`` as a volunteer at ``node`` (or change their registration): themselves, where they
    hold a role, or by a cadre of the area."""
    action = "volunteer.join" if getattr(actor, "pk", None) == person.pk else "volunteer.manage"
    grant = require(actor, action, node)
    skills = ",".join(part.strip() for part in text_within(skills, limit=MAX_SKILLS, label=_("Skills"))
                      .replace("，", ",").split(",") if part.strip())
    point = location(latitude, longitude)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().filter(person=person).first()
        before = snapshot(volunteer, ["node_id", "skills", "is_party_member", "is_active"]) if volunteer else None
        volunteer = volunteer or Volunteer(person=person)
        volunteer.node, volunteer.skills, volunteer.is_party_member, volunteer.is_active = (
            node, skills, bool(is_party_member), True)
        volunteer.latitude, volunteer.longitude = point or (None, None)
        volunteer.save()
        audit_record(actor=actor, role=grant.role, action="volunteer.join", target=volunteer, before=before,
                     after=snapshot(volunteer, ["node_id", "skills", "is_party_member", "is_active"]))
    return volunteer


def volunteer_of(person) -> Volunteer:
    volunteer = Volunteer.objects.filter(person=person, is_active=True).select_related("node").first()
    if volunteer is None:
        raise refusal("not_volunteer", _("Register as a volunteer first."))
    return volunteer


# ---------------------------------------------------------------- needs


def need_submit(*, actor, category: Category, node: Node, title: str, place: str, starts_at, helpers=1,
                description: str = "", latitude=None, longitude=None, requester_kind: str = RequesterKind.RESIDENT,
                company: str = "", idempotency_key: str = "", now=None) -> Need:
    """Post a need at ``node`` (in the actor's area). Published at once, and told to the nearest volunteers,
    unless its category is reviewed first. A repeat with the same ``idempotency_key`` answers the first need."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.need", node)
    key = str(idempotency_key or "")[:64]
    if key and (first := Need.objects.filter(requester=actor, idempotency_key=key).first()):
        return first
    if not isinstance(category, Category) or not category.is_active:
        raise Invalid(_("Choose one of the categories in use."))
    title = text_within(title, limit=MAX_TITLE, label=_("What is needed"))
    place = text_within(place, limit=MAX_PLACE, label=_("The address"))
    if not title or not place:
        raise Invalid(_("Say what is needed and where."))
    description = text_within(description, limit=MAX_DESCRIPTION, label=_("The details"))
    company = text_within(company, limit=MAX_COMPANY, label=_("The company"))
    if requester_kind not in RequesterKind.values:
        raise Invalid(_("Say who asks: a resident, a company or a cadre."))
    if requester_kind == RequesterKind.CADRE and grant_for(actor, "volunteer.manage", node) is None:
        raise PermissionDenied(_("Only a cadre of the area posts a need as a cadre."))
    if requester_kind == RequesterKind.COMPANY and not company:
        raise Invalid(_("Name the company that asks."))
    starts_at = _starts_checked(starts_at, now=now)
    helpers = _helpers_checked(helpers)
    point = location(latitude, longitude)
    if point is not None:
        node = _placed(node, lat=point[0], lon=point[1])
    try:
        with transaction.atomic():
            need = Need.objects.create(
                category=category, node=node, requester=actor, requester_kind=requester_kind, company=company,
                title=title, description=description, place=place, latitude=point[0] if point else None,
                longitude=point[1] if point else None, starts_at=starts_at, helpers=helpers,
                submitted_at=now, idempotency_key=key,
                due_at=now + timedelta(minutes=category.publish_minutes),
            )
            audit_record(actor=actor, role=grant.role, action="volunteer.need", target=need,
                         after={**snapshot(need, NEED_FIELDS), "category": category.code})
            if category.needs_review:
                reviewer = nearest_holder(node=node, roles=REVIEWERS)
                Need.objects.filter(pk=need.pk).update(handler=reviewer)
                inbox.tell(need, "review", [reviewer], actor=actor, now=now)
            else:
                _publish(need, actor=SYSTEM, now=now)
    except IntegrityError:  # the same key raced itself: the first one stands
        if key and (first := Need.objects.filter(requester=actor, idempotency_key=key).first()):
            return first
        raise
    return need


def _starts_checked(starts_at, *, now):
    from datetime import datetime

    if not isinstance(starts_at, datetime):
        raise Invalid(_("Say when the help is needed (a date and time)."), code="need_in_past")
    starts_at = aware(starts_at)
    if starts_at < now - timedelta(minutes=5):  # a few minutes of typing or a slow clock are forgiven
        raise Invalid(_("That time has passed; a need is for now or later."), code="need_in_past")
    if starts_at > now + timedelta(days=HORIZON_DAYS):
        raise Invalid(_("A need may be posted at most %(days)d days ahead.") % {"days": HORIZON_DAYS},
                      code="need_in_past")
    return starts_at


def _helpers_checked(helpers) -> int:
    try:
        helpers = int(helpers)
    except (TypeError, ValueError):
        helpers = 0
    if not 1 <= helpers <= MAX_HELPERS:
        raise Invalid(_("Ask for 1 to %(max)d helpers.") % {"max": MAX_HELPERS})
    return helpers


def _placed(node: Node, *, lat, lon) -> Node:
    """Where a need located at (lat, lon) belongs: the deepest node covering it, inside ``node``; a point
    elsewhere (another area of the street, or outside it) is refused. Without boundaries the point is kept
    as given."""
    found = place_located_report(node=node, lon=lon, lat=lat, area_paths=[node.path])
    if found is not None:
        return found
    if node_at(lon=lon, lat=lat, within=street_of(node)) is not None:
        raise refusal("outside_area", _("This location lies outside %(node)s. Check the location or the place.")
                      % {"node": node.name})
    return node


def _publish(need: Need, *, actor, now) -> None:
    """Make the need visible, start its claim window, send the first wave (inside the caller's transaction)."""
    need.state, need.published_at = NeedState.PUBLISHED, now
    need.due_at = now + timedelta(minutes=need.category.claim_minutes)
    need.handler = None
    need.save(update_fields=["state", "published_at", "due_at", "handler"])
    close_alerts(item_type=QUICK_ITEM, item_ids=[need.pk], now=now)
    waves.send_wave(need, now=now)
    inbox.tell(need, "published", [need.requester_id], actor=actor, now=now)


def need_review(*, actor, need: Need, approve: bool, reason: str = "", now=None) -> Need:
    """Publish a need waiting for review, or decline it with a reason."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.manage", need)
    reason = text_within(reason, limit=200, label=_("The reason"))
    if not approve and not reason:
        raise Invalid(_("Say why the need is not published."), code="reason_required")
    with transaction.atomic():
        need = _locked(need)
        if need.state != NeedState.SUBMITTED:
            raise Conflict(_("This need was already decided."), code="invalid_state")
        before = snapshot(need, NEED_FIELDS)
        if approve:
            _publish(need, actor=actor, now=now)
        else:
            need.state, need.due_at, need.closed_at, need.close_reason = NeedState.REJECTED, None, now, reason
            need.save(update_fields=["state", "due_at", "closed_at", "close_reason"])
            close_alerts(item_type=QUICK_ITEM, item_ids=[need.pk], now=now)
            inbox.tell(need, "rejected", [need.requester_id], actor=actor, now=now)
        audit_record(actor=actor, role=grant.role, action="volunteer.review", target=need, before=before,
                     after=snapshot(need, NEED_FIELDS), reason=reason)
    return need


def need_cancel(*, actor, need: Need, reason: str, now=None) -> Need:
    """The requester (or a cadre) withdraws a need before it is served; its helpers are told."""
    now = now or timezone.now()
    own = getattr(actor, "pk", None) == need.requester_id
    grant = require(actor, "volunteer.need" if own else "volunteer.manage", need)
    reason = text_within(reason, limit=200, label=_("The reason"))
    if not reason:
        raise Invalid(_("Say why the need is cancelled."), code="reason_required")
    with transaction.atomic():
        need = _locked(need)
        if need.state not in (NeedState.SUBMITTED, NeedState.PUBLISHED, NeedState.CLAIMED):
            raise refusal("need_closed", _("This need can no longer be cancelled."))
        before = snapshot(need, NEED_FIELDS)
        need.state, need.due_at, need.next_wave_at = NeedState.CANCELLED, None, None
        need.closed_at, need.close_reason = now, reason
        need.save(update_fields=["state", "due_at", "next_wave_at", "closed_at", "close_reason"])
        helpers = list(need.claims.filter(state__in=HOLDING_CLAIMS).values_list("volunteer_id", flat=True))
        need.claims.filter(state__in=HOLDING_CLAIMS).update(state=ClaimState.WITHDRAWN)
        close_alerts(item_type=QUICK_ITEM, item_ids=[need.pk], now=now)
        close_alerts(item_type=SERVE_ITEM, item_ids=[need.pk], now=now)
        audit_record(actor=actor, role=grant.role, action="volunteer.cancel", target=need, before=before,
                     after=snapshot(need, NEED_FIELDS), reason=reason)
        inbox.tell(need, "cancelled", helpers, actor=actor, now=now)
    return need


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("category", "node").get(pk=need.pk)


# ---------------------------------------------------------------- claims


def need_claim(*, actor, need: Need, now=None) -> Claim:
    """Claim one place of a published need: first come, first served, never more than it wants."""
    now = now or timezone.now()
    volunteer = volunteer_of(actor)
    grant = require(actor, "volunteer.serve", volunteer)
    street = street_of(need.node)
    if (not volunteer.node.path.startswith(street.path)
            and not members_linked_under(need.node).filter(member_id=actor.pk).exists()):  # not every id of the place
        raise PermissionDenied(_("This need lies outside your street."), code="out_of_scope")
    skill = need.category.skill
    if skill and skill not in volunteer.skill_list():
        raise refusal("skill_missing", _("This need asks for the skill “%(skill)s”.") % {"skill": skill})
    if actor.pk == need.requester_id:
        raise Invalid(_("You cannot claim your own need."))
    try:
        with transaction.atomic():
            need = _locked(need)
            if need.state not in CLAIMABLE_STATES:
                raise refusal("need_closed", _("This need is no longer open for claims."))
            if need.claims.filter(volunteer=actor).exclude(state=ClaimState.WITHDRAWN).exists():
                raise refusal("already_claimed", _("You have already claimed this need."))
            if need.claimed >= need.helpers:
                raise refusal("need_full", _("Enough helpers have already claimed this need."))
            before = snapshot(need, NEED_FIELDS)
            claim = Claim.objects.create(need=need, volunteer=actor, claimed_at=now)
            need.claimed += 1
            if need.claimed == need.helpers:
                need.state, need.claimed_at, need.next_wave_at = NeedState.CLAIMED, now, None
                need.due_at = max(now, need.starts_at) + timedelta(minutes=need.category.complete_minutes)
                close_alerts(item_type=QUICK_ITEM, item_ids=[need.pk], now=now)
            need.save(update_fields=["claimed", "state", "claimed_at", "next_wave_at", "due_at"])
            audit_record(actor=actor, role=grant.role, action="volunteer.claim", target=claim, node=need.node,
                         before=before, after=snapshot(need, NEED_FIELDS))
            inbox.tell(need, "full" if need.state == NeedState.CLAIMED else "claimed", [need.requester_id],
                       actor=actor, now=now)
    except IntegrityError:  # the unique index or the check constraint caught a race the lock did not
        raise refusal("need_full", _("Enough helpers have already claimed this need.")) from None
    return claim


def _own_claim(actor, claim: Claim) -> Claim:
    if getattr(actor, "pk", None) != claim.volunteer_id:
        raise NotFound(_("There is no such claim of yours."))
    return Claim.objects.select_for_update().select_related("need", "need__category", "need__node").get(pk=claim.pk)


def claim_check_in(*, actor, claim: Claim, latitude, longitude, now=None) -> Claim:
    """The helper arrives: time and place are recorded."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.serve", volunteer_of(actor))
    point = location(latitude, longitude)
    if point is None:
        raise refusal("location_required", _("Checking in records where you are: share your location."))
    with transaction.atomic():
        claim = _own_claim(actor, claim)
        if claim.state != ClaimState.CLAIMED or claim.need.state not in CLAIMABLE_STATES:
            raise Conflict(_("This cannot be done now: it is “%(state)s”.") % {"state": claim.get_state_display()},
                           code="invalid_state")
        claim.state, claim.checked_in_at = ClaimState.CHECKED_IN, now
        claim.check_in_latitude, claim.check_in_longitude = point
        claim.save(update_fields=["state", "checked_in_at", "check_in_latitude", "check_in_longitude"])
        audit_record(actor=actor, role=grant.role, action="volunteer.check_in", target=claim,
                     after=snapshot(claim, CLAIM_FIELDS))
    return claim


def claim_check_out(*, actor, claim: Claim, latitude, longitude, minutes=None, at=None, now=None) -> Claim:
    """The helper leaves: the time served is the span from check-in (or less, if they say so). When every
    helper has left, the need waits for the requester's confirmation."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.serve", volunteer_of(actor))
    point = location(latitude, longitude)
    if point is None:
        raise refusal("location_required", _("Checking out records where you are: share your location."))
    left_at = aware(at) if at is not None else now
    if left_at > now:
        raise Invalid(_("A check-out cannot be in the future."), code="checkout_before_checkin")
    with transaction.atomic():
        claim = _own_claim(actor, claim)
        if claim.state != ClaimState.CHECKED_IN:
            raise Conflict(_("Check in first."), code="invalid_state")
        span = int((left_at - claim.checked_in_at).total_seconds() // 60)
        if left_at <= claim.checked_in_at:
            raise refusal("checkout_before_checkin", _("The check-out must come after the check-in."))
        served = span if minutes in (None, "") else _minutes_checked(minutes)
        if served > span:
            raise refusal("hours_beyond_span", _("%(minutes)d minutes is longer than the %(span)d minutes since "
                                                 "you checked in.") % {"minutes": served, "span": span})
        claim.state, claim.checked_out_at, claim.minutes = ClaimState.CHECKED_OUT, left_at, max(served, 1)
        claim.check_out_latitude, claim.check_out_longitude = point
        claim.save(update_fields=["state", "checked_out_at", "minutes", "check_out_latitude", "check_out_longitude"])
        need = _locked(claim.need)
        if (need.state == NeedState.CLAIMED
                and not need.claims.filter(state__in=[ClaimState.CLAIMED, ClaimState.CHECKED_IN]).exists()):
            need.state, need.served_at, need.due_at = NeedState.SERVED, now, None
            need.save(update_fields=["state", "served_at", "due_at"])
            close_alerts(item_type=SERVE_ITEM, item_ids=[need.pk], now=now)
            inbox.tell(need, "served", [need.requester_id], actor=actor, now=now)
        audit_record(actor=actor, role=grant.role, action="volunteer.check_out", target=claim,
                     after=snapshot(claim, CLAIM_FIELDS))
    return claim


def _minutes_checked(minutes) -> int:
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 24 * 60:
        raise Invalid(_("Time served is 1 to %(max)d minutes.") % {"max": 24 * 60}, code="hours_beyond_span")
    return minutes


def need_confirm(*, actor, need: Need, rating=None, now=None) -> Need:
    """The requester confirms the service: each helper's minutes are credited to their hours account (one
    idempotent posting per claim in the ledger's journal) and counted in the volunteers' service totals
    (``totals``: the rankings and the yearly rule), in the same transaction, and the helpers are told."""
    now = now or timezone.now()
    if getattr(actor, "pk", None) != need.requester_id:
        audit_denied(actor=actor, action="volunteer.confirm", target=need, reason="not_requester")
        raise refusal("not_requester", _("Only the person who asked may confirm the service."))
    grant = require(actor, "volunteer.need", need)
    stars_given = None if rating in (None, "") else stars(rating)
    with transaction.atomic():
        need = _locked(need)
        if need.state != NeedState.SERVED:
            raise Conflict(_("This cannot be done now: it is “%(state)s”.") % {"state": need.get_state_display()},
                           code="invalid_state")
        before = snapshot(need, NEED_FIELDS)
        claims = list(need.claims.filter(state=ClaimState.CHECKED_OUT).select_related("volunteer"))
        if claims:
            hours_credit(actor=actor, role=grant.role, credits=[{
                "person": claim.volunteer, "minutes": claim.minutes, "source": claim,
                "reason": (_("Volunteer service: %(title)s") % {"title": need.title})[:200],
                "idempotency_key": f"volunteers:claim:{claim.pk}",
                "period": timezone.localtime(claim.checked_in_at).strftime("%Y-%m")} for claim in claims])
        need.claims.filter(pk__in=[claim.pk for claim in claims]).update(state=ClaimState.CONFIRMED,
                                                                         rating=stars_given)
        totals.add(claims=claims, node=need.node, rating=stars_given)  # the rankings' and the rule's totals
        need.state, need.closed_at = NeedState.CONFIRMED, now
        need.save(update_fields=["state", "closed_at"])
        audit_record(actor=actor, role=grant.role, action="volunteer.confirm", target=need, before=before,
                     after={**snapshot(need, NEED_FIELDS), "rating": stars_given,
                            "minutes": {claim.volunteer_id: claim.minutes for claim in claims}})
        inbox.tell(need, "confirmed", [claim.volunteer_id for claim in claims], actor=actor, now=now)
    _points_for_hours(need, claims)
    return need


def points_for(minutes: int, per_hour: int) -> int:
    """The governance points ``minutes`` of service earn at the category's rate: whole points, rounded half up."""
    return (minutes * per_hour + 30) // 60


def _points_for_hours(need: Need, claims: list[Claim]) -> None:
    """Hours earn governance points by the category's rule (``points_per_hour``): one grant per confirmed claim,
    from the budget of the helper's own community (the ledger's ``grant_points``, key ``volunteers:claim:<id>:
    points``, so a retry never pays twice). A refusal (no budget, spent) does not undo the confirmation: it is
    audited, and the same key can be granted later."""
    from gridgov.ledger.services import grant_points

    per_hour = need.category.points_per_hour
    if per_hour <= 0:
        return
    homes = dict(Volunteer.objects.filter(person_id__in=[claim.volunteer_id for claim in claims])
                 .values_list("person_id", "node_id"))
    nodes = Node.objects.in_bulk(set(homes.values()))
    with translation.override(settings.LANGUAGE_CODE):  # the statement keeps the installation's language
        reason = (_("Volunteer service points: %(title)s") % {"title": need.title})[:200]
    for claim in claims:
        amount = points_for(claim.minutes or 0, per_hour)
        budget_node = paying_node(nodes[homes[claim.volunteer_id]]) if claim.volunteer_id in homes else None
        if amount <= 0 or budget_node is None:
            continue
        try:
            grant_points(actor=SYSTEM, person=claim.volunteer, amount=amount, reason=reason,
                         idempotency_key=f"volunteers:claim:{claim.pk}:points", budget_node=budget_node,
                         source=claim, memo=need.category.name)
        except DomainError as error:
            audit_record(actor=SYSTEM, role="system", action="volunteer.points_refused", target=claim,
                         node=need.node, reason=str(error.message)[:200], after={"points": amount})


def claim_release(*, actor, claim: Claim, now=None) -> Claim:
    """The helper gives their place back before checking in: the place reopens (the need waits for helpers
    again, with a new claim window, and the next wave goes out), the requester is told. Not after check-in."""
    now = now or timezone.now()
    grant = require(actor, "volunteer.serve", volunteer_of(actor))
    with transaction.atomic():
        claim = _own_claim(actor, claim)
        if claim.state != ClaimState.CLAIMED:
            raise refusal("release_too_late", _("Only a claim not yet checked in can be given back."))
        need = _locked(claim.need)
        if need.state not in CLAIMABLE_STATES:
            raise refusal("need_closed", _("This need is no longer open for claims."))
        before = snapshot(need, NEED_FIELDS)
        claim.state = ClaimState.WITHDRAWN
        claim.save(update_fields=["state"])
        need.claimed -= 1
        if need.state == NeedState.CLAIMED:
            need.state, need.claimed_at = NeedState.PUBLISHED, None
            need.due_at = now + timedelta(minutes=need.category.claim_minutes)
            close_alerts(item_type=SERVE_ITEM, item_ids=[need.pk], now=now)
        if need.wave < len(waves.levels(need.node)):
            need.next_wave_at = now  # the watch tells the next ring of volunteers at once
        need.save(update_fields=["claimed", "state", "claimed_at", "due_at", "next_wave_at"])
        audit_record(actor=actor, role=grant.role, action="volunteer.release", target=claim, node=need.node,
                     before=before, after=snapshot(need, NEED_FIELDS))
        inbox.tell(need, "released", [need.requester_id], actor=actor, now=now)
    return claim

