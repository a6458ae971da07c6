"""Booking a plan of a base, reviewing, handing over late requests, cancelling, moving, attending, rating.

Places: a booking locks its slot's ``SlotDay`` row (``select_for_update``), checks what is left and takes its
headcount in the same transaction, so of twenty organisations racing for the last places exactly as many get
them as fit; the database's check constraint and the one-per-organisation unique index back this up.

Every change of a booking goes through ``_transition``: it locks the booking, checks who may fire the event
(``_grant_for``) against ``workflow.TRANSITIONS``, applies it, closes its open alerts, writes a timeline event
and an audit record, in one transaction. A refusal leaves a ``denied`` audit record.
"""

from datetime import date as date_type
from datetime import timedelta
from uuid import uuid4

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record, snapshot
from gridgov.bookings import inbox, selectors, workflow
from gridgov.bookings.models import (
    HOLDING_STATES,
    Attendance,
    AttendancePhoto,
    Base,
    BasePhoto,
    Booking,
    BookingEvent,
    BookingState,
    Plan,
    Rating,
    ReviewRule,
    Route,
    SlotDay,
)
from gridgov.bookings.schedule import add_working_hours, slot_end, slot_start
from gridgov.bookings.workflow import Event
from gridgov.deadlines.scan import close_alerts
from gridgov.errors import Conflict, Invalid, PermissionDenied, refusal
from gridgov.indices.services import activity_held_elsewhere
from gridgov.limits import rating as stars
from gridgov.limits import text_within
from gridgov.media import process_photo
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import SYSTEM, Grant, grant_for, role_paths
from gridgov.orgs.tree import holds_role_under, is_under, nearest_holder, people_under

BOOKING_FIELDS = ["state", "date", "slot_id", "headcount", "reviewer_id", "due_at", "liaison_id", "handed_over",
                  "needs_second_review", "decision_reason"]
BOOKING_ITEM = "booking"  # the item type of bookings' alerts (``engines``)
HORIZON_DAYS = 180  # how far ahead a visit can be booked
MAX_NOTE = Booking._meta.get_field("note").max_length
MAX_REASON = Booking._meta.get_field("decision_reason").max_length
MAX_PHONE = Booking._meta.get_field("contact_phone").max_length
MAX_COMMENT = Rating._meta.get_field("comment").max_length
MAX_PHOTOS = 9
TOKEN_SALT = "gridgov.bookings.rating"
TOKEN_DAYS = 30  # a rating code works this long after it was shown
ACTIVITY_KIND = "主题党日"  # a visit to a base is the organisation's themed activity day, for the indices


# ---------------------------------------------------------------- booking


def booking_create(*, actor, organisation: Node, plan: Plan, slot, date, headcount, contact_phone: str = "",
                   note: str = "", idempotency_key: str = "", now=None, route: Route | None = None,
                   trip: str = "") -> Booking:
    """Book ``plan`` for ``organisation`` (in the actor's area) on ``date`` in ``slot`` for ``headcount`` people.

    A repeat with the same ``idempotency_key`` by the same person answers the first booking again."""
    now = now or timezone.now()
    grant = _booking_grant(actor, organisation)
    key = str(idempotency_key or "")[:64]  # a repeat is answered under the slot's lock, below
    base = plan.base
    if not (plan.is_active and base.is_active):
        raise Invalid(_("This plan is not offered now."), code="invalid")
    if getattr(slot, "base_id", None) != base.pk:
        raise Invalid(_("Choose one of the base's slots."), code="unknown_slot")
    headcount = _visit_checked(base=base, slot=slot, date=date, headcount=headcount, now=now)
    note = text_within(note, limit=MAX_NOTE, label=_("The note"))
    contact_phone = text_within(contact_phone, limit=MAX_PHONE, label=_("The contact phone"))
    rule = review_rule_for(plan=plan, headcount=headcount)
    reviewer = base_reviewer(base)
    try:
        with transaction.atomic():
            day = _locked_day(slot, date)
            if key and (first := Booking.objects.filter(booked_by=actor, idempotency_key=key).first()):
                return first
            _take_places(day, organisation=organisation, headcount=headcount)
            booking = Booking.objects.create(
                organisation=organisation, plan=plan, base=base, slot=slot, date=date,
                starts_at=slot_start(date, slot), headcount=headcount, booked_by=actor, contact_phone=contact_phone,
                note=note, state=BookingState.PENDING_BASE, reviewer=reviewer, review_rule=rule,
                needs_second_review=bool(rule and rule.second_review),
                due_at=add_working_hours(now, base.review_hours), idempotency_key=key, created_at=now,
                route=route, trip=trip,
            )
            _event(booking, Event.BOOK, "", booking.state, actor, f"{headcount}", now)
            audit_record(actor=actor, role=grant.role, action="booking.book", target=booking,
                         after={**snapshot(booking, BOOKING_FIELDS), "plan": plan.pk, "base": base.code})
            inbox.tell(booking, "review", [reviewer], actor=actor, now=now)
    except IntegrityError:  # the unique index caught what the lock did not (another path, a bug): refuse
        raise Conflict(_("The organisation has already booked this slot."), code="already_booked") from None
    return booking


def _booking_grant(actor, organisation: Node) -> Grant:
    grant = grant_for(actor, "booking.book", organisation)
    if grant is None:
        audit_denied(actor=actor, action="booking.book", node=organisation, reason="out_of_scope")
        raise PermissionDenied(_("You may only book for organisations in your area."), code="out_of_scope")
    return grant


def route_book(*, actor, organisation: Node, route: Route, date, headcount, contact_phone: str = "", note: str = "",
               idempotency_key: str = "", now=None) -> list[Booking]:
    """Book every base of the route, in its order, as one trip: the first stop on ``date``, each next one in the
    earliest slot of its base that starts after the previous stop's slot ends and still has room (that day or
    within a week). All the stops are booked or none; each then goes through its own base's review.

    A repeat with the same ``idempotency_key`` answers the first trip again."""
    now = now or timezone.now()
    _booking_grant(actor, organisation)  # refused (and audited) before anything is held
    key = str(idempotency_key or "")[:56]
    if key and (first := Booking.objects.filter(booked_by=actor, idempotency_key=f"{key}:1").first()):
        return list(Booking.objects.filter(trip=first.trip).order_by("starts_at", "pk"))
    stops = list(route.stops.select_related("base").order_by("position"))
    if not stops:
        raise Invalid(_("This route has no bases yet."), code="invalid")
    if not isinstance(date, date_type):
        raise Invalid(_("Choose a date."), code="invalid")
    trip, after, bookings = uuid4().hex, None, []
    with transaction.atomic():
        for stop in stops:
            plan = stop.base.plans.filter(is_active=True).order_by("order", "pk").first()
            if plan is None or not stop.base.is_active:
                raise Invalid(_("%(base)s takes no bookings now.") % {"base": stop.base.name}, code="invalid")
            slot, day = _route_slot(stop.base, organisation=organisation, first_day=date, after=after,
                                    headcount=headcount)
            booking = booking_create(actor=actor, organisation=organisation, plan=plan, slot=slot, date=day,
                                     headcount=headcount, contact_phone=contact_phone, note=note, now=now,
                                     idempotency_key=f"{key}:{stop.position}" if key else "", route=route, trip=trip)
            after = slot_end(day, slot)
            bookings.append(booking)
    return bookings


ROUTE_DAYS = 7  # how far after the previous stop the next one may fall


def _route_slot(base, *, organisation, first_day, after, headcount) -> tuple:
    """The stop's slot and day: on ``first_day`` for the first stop; else the earliest with room after ``after``."""
    days = [first_day] if after is None else [timezone.localdate(after) + timedelta(days=n) for n in range(ROUTE_DAYS + 1)]
    slots = list(base.slots.order_by("starts_at"))
    closed = set(base.closures.filter(date__in=days).values_list("date", flat=True))
    taken = {(row["slot_id"], row["date"]): row["booked_people"]
             for row in SlotDay.objects.filter(slot__in=slots, date__in=days).values("slot_id", "date", "booked_people")}
    mine = set(Booking.objects.filter(organisation=organisation, slot__in=slots, date__in=days,
                                      state__in=HOLDING_STATES).values_list("slot_id", "date"))
    for day in days:
        if not base.is_open_on(day) or day in closed:
            continue
        for slot in slots:
            if after is not None and slot_start(day, slot) < after:
                continue
            if (slot.pk, day) not in mine and slot.capacity - taken.get((slot.pk, day), 0) >= _people(headcount):
                return slot, day
    if after is None:
        raise Conflict(_("%(base)s, the route's first stop, has no slot with room on that day.")
                       % {"base": base.name}, code="slot_full")
    raise Conflict(_("%(base)s has no slot with room in the week after the previous stop.") % {"base": base.name},
                   code="slot_full")


def _people(headcount) -> int:
    try:
        return max(int(headcount), 1)
    except (TypeError, ValueError):
        return 1


def _visit_checked(*, base, slot, date, headcount, now) -> int:
    """Refuse a visit in the past, too far ahead, on a closed day or for more people than the slot holds."""
    if not isinstance(date, date_type):
        raise Invalid(_("Choose a date."), code="invalid")
    today = timezone.localdate(now)
    if date < today or slot_start(date, slot) <= now:
        raise Invalid(_("That date and time have passed; choose a later one."), code="date_past")
    if date > today + timedelta(days=HORIZON_DAYS):
        raise Invalid(_("Bookings open %(days)d days ahead.") % {"days": HORIZON_DAYS}, code="date_too_far")
    if not base.is_open_on(date) or base.closures.filter(date=date).exists():
        raise Invalid(_("The base does not receive visitors on that day."), code="base_closed")
    try:
        headcount = int(headcount)
    except (TypeError, ValueError):
        headcount = 0
    if not 1 <= headcount <= slot.capacity:
        raise Invalid(_("This slot takes 1 to %(capacity)d people.") % {"capacity": slot.capacity},
                      code="too_many_people")
    return headcount


def _locked_day(slot, date) -> SlotDay:
    """The slot's row for ``date``, created if need be (one INSERT that a row already there leaves alone, without
    the savepoint ``get_or_create`` takes), locked until the transaction ends."""
    SlotDay.objects.bulk_create([SlotDay(slot=slot, date=date, capacity=slot.capacity)], ignore_conflicts=True)
    return SlotDay.objects.select_for_update().get(slot=slot, date=date)


def _take_places(day: SlotDay, *, organisation, headcount: int, moving: Booking | None = None) -> None:
    taken = Booking.objects.filter(organisation=organisation, slot_id=day.slot_id, date=day.date,
                                   state__in=HOLDING_STATES)
    if moving is not None:
        taken = taken.exclude(pk=moving.pk)
    if taken.exists():
        raise Conflict(_("The organisation has already booked this slot."), code="already_booked")
    if headcount > day.remaining:
        raise Conflict(_("Only %(left)d places are left in this slot.") % {"left": day.remaining}, code="slot_full")
    day.booked_people += headcount
    day.bookings += 1
    day.save(update_fields=["booked_people", "bookings"])


def _release_places(booking: Booking) -> None:
    day = SlotDay.objects.select_for_update().get(slot_id=booking.slot_id, date=booking.date)
    day.booked_people = max(day.booked_people - booking.headcount, 0)
    day.bookings = max(day.bookings - 1, 0)
    day.save(update_fields=["booked_people", "bookings"])


def review_rule_for(*, plan: Plan, headcount: int, second_review: bool | None = True) -> ReviewRule | None:
    """The most specific active rule matching the plan and the size (plan, then base, then section, then any;
    then the lower priority). ``second_review=None``: any rule, also those that only take over late requests."""
    base = plan.base
    rules = ReviewRule.objects.filter(
        Q(plan__isnull=True) | Q(plan=plan), Q(base__isnull=True) | Q(base=base),
        Q(section__isnull=True) | Q(section_id=base.section_id), is_active=True, min_headcount__lte=headcount,
    ).select_related("reviewer_node")
    if second_review is not None:
        rules = rules.filter(second_review=second_review)
    ranked = sorted(rules, key=lambda rule: (rule.plan_id is None, rule.base_id is None, rule.section_id is None,
                                             rule.priority, rule.pk))
    return ranked[0] if ranked else None


def base_reviewer(base) -> Person | None:
    """The base's staff member with the fewest bookings waiting on them."""
    staff = list(base.staff.filter(is_active=True).order_by("pk"))
    if not staff:
        return None
    load = dict(Booking.objects.filter(reviewer__in=staff, state__in=HOLDING_STATES[:2]).values_list("reviewer")
                .annotate(n=Count("pk")).order_by())
    return min(staff, key=lambda person: (load.get(person.pk, 0), person.pk))


def rule_reviewer(rule: ReviewRule) -> Person | None:
    return nearest_holder(node=rule.reviewer_node, roles=[rule.reviewer_role])


# ---------------------------------------------------------------- review


def booking_decide(*, actor, booking: Booking, approve: bool, reason: str = "", now=None) -> Booking:
    """The current reviewer's answer: approve (on to the second review where a rule asks for one, else
    approved with a liaison assigned) or decline (with a reason; the places are freed)."""
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))
    if not approve and not reason:
        raise Invalid(_("Say why the booking is declined."), code="reason_required")

    def choose(locked):
        if not approve:
            return Event.REJECT
        second = locked.state == BookingState.PENDING_BASE and locked.needs_second_review and locked.review_rule
        return Event.FORWARD if second else Event.APPROVE

    def change(locked, event, now):
        if event == Event.FORWARD:
            locked.reviewer = rule_reviewer(locked.review_rule)
            locked.due_at = add_working_hours(now, locked.review_rule.review_hours)
        elif event == Event.APPROVE:
            locked.reviewer, locked.due_at, locked.decided_at = None, None, now
            locked.liaison = locked.liaison or least_loaded_liaison(locked.plan)
        else:
            locked.reviewer, locked.due_at, locked.decided_at = None, None, now
            locked.decision_reason = reason
            _release_places(locked)

    booking = _transition(actor=actor, booking=booking, event=choose, change=change, note=reason, now=now,
                          who=_review_grant)
    now = now or timezone.now()
    if booking.state == BookingState.PENDING_SECOND:
        inbox.tell(booking, "review", [booking.reviewer], actor=actor, now=now)
    elif booking.state == BookingState.APPROVED:
        inbox.tell(booking, "approved", [booking.booked_by_id], actor=actor, now=now)
        inbox.tell(booking, "liaison", [booking.liaison_id], actor=actor, now=now)
    else:
        inbox.tell(booking, "rejected", [booking.booked_by_id], actor=actor, now=now)
    return booking


def booking_hand_over(*, booking: Booking, now=None) -> Booking | None:
    """限时转接: the base did not answer in time; the next reviewer takes the request, and both hear of it.
    None when no rule names anyone to take it (the deadline engine's alerts keep going to the base)."""
    now = now or timezone.now()
    rule = booking.review_rule or review_rule_for(plan=booking.plan, headcount=booking.headcount, second_review=None)
    target = rule_reviewer(rule) if rule else None
    if target is None:
        return None
    late = booking.reviewer_id

    def change(locked, event, now):
        locked.review_rule = rule
        locked.reviewer = target
        locked.handed_over = True
        locked.due_at = add_working_hours(now, rule.review_hours)

    booking = _transition(actor=SYSTEM, booking=booking, event=Event.HAND_OVER, change=change, now=now,
                          note=target.name, who=_system_grant)
    inbox.tell(booking, "handed_to_you", [target], now=now)
    inbox.tell(booking, "handed_away", [late], now=now)
    return booking


def bookings_hand_over_due(*, now) -> int:
    """Hand over every request the base left unanswered past its time limit (run by the deadline scan)."""
    due = (Booking.objects.filter(state=BookingState.PENDING_BASE, due_at__lte=now)
           .select_related("plan__base", "review_rule__reviewer_node").order_by("due_at", "pk"))
    return sum(booking_hand_over(booking=booking, now=now) is not None for booking in due[:500])


def booking_assign_liaison(*, actor, booking: Booking, liaison: Person, now=None) -> Booking:
    """The base chooses the liaison (一活动一教员) among the plan's pool."""
    if not isinstance(liaison, Person) or not booking.plan.liaisons.filter(pk=liaison.pk, is_active=True).exists():
        raise Invalid(_("Choose a liaison of this plan."), code="invalid_liaison")

    def change(locked, event, now):
        locked.liaison = liaison

    booking = _transition(actor=actor, booking=booking, event=Event.ASSIGN, change=change, note=liaison.name,
                          now=now, who=_staff_grant)
    inbox.tell(booking, "liaison", [liaison], actor=actor, now=now)
    return booking


def least_loaded_liaison(plan: Plan) -> Person | None:
    """The plan's liaison with the fewest approved visits still to come."""
    pool = list(plan.liaisons.filter(is_active=True).order_by("pk"))
    if not pool:
        return None
    load = dict(Booking.objects.filter(liaison__in=pool, state=BookingState.APPROVED).values_list("liaison")
                .annotate(n=Count("pk")).order_by())
    return min(pool, key=lambda person: (load.get(person.pk, 0), person.pk))


# ---------------------------------------------------------------- the organisation's changes


def booking_cancel(*, actor, booking: Booking, reason: str = "", now=None) -> Booking:
    """The organisation cancels, up to the base's cut-off before the visit; the places are freed."""
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))

    def change(locked, event, now):
        _before_cutoff(locked, now)
        locked.reviewer, locked.due_at = None, None
        locked.decision_reason = reason
        _release_places(locked)

    return _transition(actor=actor, booking=booking, event=Event.CANCEL, change=change, note=reason, now=now,
                       who=_booker_grant)


def booking_reschedule(*, actor, booking: Booking, date, slot, now=None) -> Booking:
    """Move the visit to another date or slot of the same base (up to the cut-off); the base reviews it again."""
    now = now or timezone.now()
    if getattr(slot, "base_id", None) != booking.base_id:
        raise Invalid(_("Choose one of the base's slots."), code="unknown_slot")
    _visit_checked(base=booking.base, slot=slot, date=date, headcount=booking.headcount, now=now)

    def change(locked, event, now):
        _before_cutoff(locked, now)
        if (locked.slot_id, locked.date) == (slot.pk, date):
            raise Invalid(_("Choose another date or slot."), code="invalid")
        old_first = (locked.slot_id, locked.date) < (slot.pk, date)  # lock the two days in one order
        if old_first:
            _release_places(locked)
        day = _locked_day(slot, date)
        _take_places(day, organisation=locked.organisation, headcount=locked.headcount, moving=locked)
        if not old_first:
            _release_places(locked)
        change.note = f"{locked.date:%m-%d} → {date:%m-%d} {slot.label}"
        locked.slot, locked.date, locked.starts_at = slot, date, slot_start(date, slot)
        locked.reviewer = base_reviewer(locked.base)
        locked.due_at = add_working_hours(now, locked.base.review_hours)
        locked.liaison, locked.handed_over, locked.decided_at = None, False, None

    booking = _transition(actor=actor, booking=booking, event=Event.RESCHEDULE, change=change, now=now,
                          who=_booker_grant)
    inbox.tell(booking, "review", [booking.reviewer], actor=actor, now=now)
    return booking


def _before_cutoff(booking: Booking, now) -> None:
    if booking.starts_at - now < timedelta(hours=booking.base.cutoff_hours):
        raise Conflict(_("Less than %(hours)d hours before the visit it can no longer be changed; call the base.")
                       % {"hours": booking.base.cutoff_hours}, code="past_cutoff")


# ---------------------------------------------------------------- the visit


def attendance_record(*, actor, booking: Booking, headcount=0, no_show: bool = False, note: str = "", photos=(),
                      people=(), now=None) -> Booking:
    """The liaison records the day: how many came, with photos, and (when the liaison ticks them) which members
    of the organisation; or that nobody came. Named members count as present at the organisation's 主题党日 in
    the indices, and only they may then rate the visit."""
    now = now or timezone.now()
    note = text_within(note, limit=Attendance._meta.get_field("note").max_length, label=_("The note"))
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="invalid")
    if booking.date > timezone.localdate(now):
        raise Conflict(_("Attendance is recorded on the day of the visit."), code="invalid_state")
    if no_show:
        headcount = 0
    else:
        try:
            headcount = int(headcount)
        except (TypeError, ValueError):
            headcount = 0
        if not 1 <= headcount <= booking.slot.capacity:
            raise Invalid(_("Say how many came: 1 to %(capacity)d.") % {"capacity": booking.slot.capacity},
                          code="too_many_people")
    people = [] if no_show else _members_of(booking.organisation, people)
    if len(people) > max(headcount, 0):
        raise Invalid(_("More members are named than came (%(count)d).") % {"count": headcount},
                      code="too_many_people")
    processed = [process_photo(upload, keep_location=False) for upload in photos]

    def change(locked, event, now):
        attendance = Attendance.objects.create(booking=locked, headcount=headcount, no_show=no_show, note=note,
                                               recorded_by=actor, recorded_at=now)
        attendance.people.set(people)
        for content, width, height in processed:
            AttendancePhoto.objects.create(attendance=attendance, image=content, width=width, height=height,
                                           size=content.size)
        if not no_show:
            activity_held_elsewhere(node=locked.organisation, kind=ACTIVITY_KIND, held_on=locked.date,
                                    note=f"{locked.base.name} · {locked.plan.theme}", reason=f"booking {locked.pk}",
                                    people=people)

    event = Event.NO_SHOW if no_show else Event.ATTEND
    return _transition(actor=actor, booking=booking, event=event, change=change, now=now,
                       note=str(headcount), who=_liaison_grant)


def _members_of(organisation: Node, people) -> list[Person]:
    """``people`` (persons or ids), each a member of the organisation; anyone else is refused."""
    ids = {getattr(person, "pk", person) for person in (people or [])}
    if not ids:
        return []
    try:
        ids = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        raise Invalid(_("Tick members of the visiting organisation."), code="invalid") from None
    members = list(people_under([organisation.path]).filter(pk__in=ids))
    if len(members) != len(ids):
        raise Invalid(_("Tick members of the visiting organisation."), code="invalid")
    return members


def rating_token(booking: Booking) -> str:
    """The code behind the QR shown at the base after the visit."""
    return signing.dumps(booking.pk, salt=TOKEN_SALT, compress=True)


def booking_of_token(token: str) -> Booking:
    try:
        pk = signing.loads(str(token or ""), salt=TOKEN_SALT, max_age=timedelta(days=TOKEN_DAYS))
        return Booking.objects.select_related("base", "plan", "organisation", "attendance").get(pk=int(pk))
    except (signing.BadSignature, Booking.DoesNotExist, TypeError, ValueError, Attendance.DoesNotExist):
        raise Invalid(_("This rating code is not valid or has expired."), code="invalid_token") from None


def rating_submit(*, actor, token: str, score, comment: str = "", now=None) -> Rating:
    """A participant rates the visit: a member of the visiting organisation, once, and no more ratings than
    people came."""
    now = now or timezone.now()
    booking = booking_of_token(token)
    score = stars(score)
    comment = text_within(comment, limit=MAX_COMMENT, label=_("The comment"))
    attended = booking.state == BookingState.ATTENDED
    named = set(booking.attendance.people.values_list("pk", flat=True)) if attended else set()
    if named and getattr(actor, "pk", None) not in named:
        attended = False  # the liaison named who came: only they rate
    if not (isinstance(actor, Person) and attended and holds_role_under(actor, booking.organisation)):
        audit_denied(actor=actor, action="booking.rate", target=booking, reason="not_attendee")
        raise PermissionDenied(_("Only members of the organisation that made the visit can rate it."),
                               code="not_attendee")
    try:
        with transaction.atomic():
            Booking.objects.select_for_update().filter(pk=booking.pk).first()  # one rating at a time per visit
            if Rating.objects.filter(booking=booking, person=actor).exists():
                raise Conflict(_("You have already rated this visit."), code="already_rated")
            if Rating.objects.filter(booking=booking).count() >= booking.attendance.headcount:
                raise PermissionDenied(_("Everyone who came has already rated this visit."), code="not_attendee")
            rating = Rating.objects.create(booking=booking, person=actor, score=score, comment=comment, created_at=now)
            audit_record(actor=actor, role="attendee", action="booking.rate", target=booking,
                         after={"score": score, "rating": rating.pk})
    except IntegrityError:
        raise Conflict(_("You have already rated this visit."), code="already_rated") from None
    return rating


# ---------------------------------------------------------------- who may, and the one transition function


def _system_grant(actor, booking) -> Grant | None:
    return Grant("system", booking.organisation_id, booking.organisation.path) if actor is SYSTEM else None


def _manager_grant(actor, booking) -> Grant | None:
    return grant_for(actor, "booking.manage", booking)


def _staff_grant(actor, booking) -> Grant | None:
    """The base's staff (or a platform admin over the organisation)."""
    if selectors.is_base_staff(person=actor, base=booking.base):
        return Grant("base_staff", booking.organisation_id, booking.organisation.path)
    return _manager_grant(actor, booking)


def _review_grant(actor, booking) -> Grant | None:
    """Whose answer it is now: the base's staff while it waits on the base; the rule's role holder at its node
    (or the person it was handed to) while it waits on the second review."""
    if booking.state == BookingState.PENDING_BASE:
        return _staff_grant(actor, booking)
    if isinstance(actor, Person) and actor.is_active and booking.state == BookingState.PENDING_SECOND:
        rule = booking.review_rule
        if actor.pk == booking.reviewer_id:
            return Grant("reviewer", booking.organisation_id, booking.organisation.path)
        if rule and is_under(rule.reviewer_node.path, role_paths(actor, roles=[rule.reviewer_role])):
            return Grant(rule.reviewer_role, rule.reviewer_node_id, rule.reviewer_node.path)
    return _manager_grant(actor, booking)


def _booker_grant(actor, booking) -> Grant | None:
    return grant_for(actor, "booking.book", booking)


def _liaison_grant(actor, booking) -> Grant | None:
    if isinstance(actor, Person) and actor.is_active and actor.pk == booking.liaison_id:
        return Grant("liaison", booking.organisation_id, booking.organisation.path)
    return _staff_grant(actor, booking)


def _transition(*, actor, booking: Booking, event, who, change=None, note: str = "", now=None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        locked = (Booking.objects.select_for_update(of=("self",))
                  .select_related("base", "plan", "slot", "organisation", "review_rule__reviewer_node")
                  .get(pk=booking.pk))
        event = event(locked) if callable(event) else event
        grant = who(actor, locked)
        if grant is not None:
            before = snapshot(locked, BOOKING_FIELDS)
            from_state = locked.state
            locked.state = workflow.next_state(from_state, event)
            if change is not None:
                change(locked, event, now)
                note = getattr(change, "note", note) or note
            locked.save()
            close_alerts(item_type=BOOKING_ITEM, item_ids=[locked.pk], now=now)
            _event(locked, event, from_state, locked.state, actor, note, now)
            audit_record(actor=actor, role=grant.role, action=f"booking.{event}", target=locked, before=before,
                         after=snapshot(locked, BOOKING_FIELDS), reason=str(note))
    if grant is None:  # recorded outside the transaction's work, so the refusal stays in the audit trail
        audit_denied(actor=actor, action=f"booking.{event}", target=locked, reason="not_allowed")
        raise refusal("forbidden", _("You may not do this to this booking."))
    return locked


def _event(booking, event, from_state, to_state, actor, note, now) -> BookingEvent:
    return BookingEvent.objects.create(booking=booking, event=event, from_state=from_state, to_state=to_state,
                                       actor_name=str(getattr(actor, "name", ""))[:50], note=str(note)[:300],
                                       created_at=now)


# ---------------------------------------------------------------- the catalogue, kept by the base's staff

BASE_FIELDS = ["description", "address", "open_weekdays", "accessibility", "phone"]
PLAN_FIELDS = ["theme", "duration_minutes", "teaching", "activities", "is_active"]
MAX_BASE_PHOTOS = 12


def _catalogue_grant(actor, base) -> Grant:
    """The base's staff, or a platform admin (``booking.manage``); anyone else is refused and audited."""
    node_id, path = base.node_id, base.node.path if base.node_id else ""
    if selectors.is_base_staff(person=actor, base=base):
        return Grant("base_staff", node_id, path)
    if actor is SYSTEM or (isinstance(actor, Person) and role_paths(actor, "booking.manage")):
        return Grant("platform_admin" if actor is not SYSTEM else "system", node_id, path)
    audit_denied(actor=actor, action="booking.catalogue", target=base, reason="not_staff")
    raise PermissionDenied(_("Only the base's staff may change its page."), code="forbidden")


def base_update(*, actor, base, description: str, address: str, open_weekdays, accessibility: str,
                phone: str) -> Base:
    """What visitors read about the base, and the weekdays it receives them."""
    grant = _catalogue_grant(actor, base)
    fields = {name: base._meta.get_field(name).max_length for name in ("address", "accessibility", "phone")}
    values = {
        "description": text_within(description, limit=5000, label=_("The description")),
        "address": text_within(address, limit=fields["address"], label=_("The address")),
        "accessibility": text_within(accessibility, limit=fields["accessibility"], label=_("The accessibility notes")),
        "phone": text_within(phone, limit=fields["phone"], label=_("The contact phone")),
        "open_weekdays": _weekdays(open_weekdays),
    }
    with transaction.atomic():
        locked = Base.objects.select_for_update().get(pk=base.pk)
        before = snapshot(locked, BASE_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        audit_record(actor=actor, role=grant.role, action="booking.base.edit", target=locked, before=before,
                     after=snapshot(locked, BASE_FIELDS))
    return locked


def _weekdays(value) -> str:
    days = "".join(sorted({str(day) for day in (value or [])}))
    if not days or any(day not in "1234567" for day in days):
        raise Invalid(_("Choose the weekdays the base is open."), code="invalid")
    return days


def base_photos_add(*, actor, base, photos) -> int:
    """Add pictures of the base (re-encoded, location removed); at most ``MAX_BASE_PHOTOS`` in all."""
    grant = _catalogue_grant(actor, base)
    photos = list(photos or [])
    if not photos:
        raise Invalid(_("Choose at least one photo."), code="invalid")
    processed = [process_photo(upload, keep_location=False) for upload in photos]
    with transaction.atomic():
        Base.objects.select_for_update().filter(pk=base.pk).first()  # one upload at a time counts the photos
        if BasePhoto.objects.filter(base=base).count() + len(processed) > MAX_BASE_PHOTOS:
            raise Invalid(_("A base shows at most %(max)d photos.") % {"max": MAX_BASE_PHOTOS}, code="invalid")
        for content, width, height in processed:
            BasePhoto.objects.create(base=base, image=content, width=width, height=height, size=content.size)
        audit_record(actor=actor, role=grant.role, action="booking.base.photos", target=base,
                     after={"added": len(processed)})
    return len(processed)


def base_photo_remove(*, actor, photo) -> None:
    grant = _catalogue_grant(actor, photo.base)
    with transaction.atomic():
        name = photo.image.name
        photo.delete()
        audit_record(actor=actor, role=grant.role, action="booking.base.photos", target=photo.base,
                     before={"photo": name}, after={"removed": 1})


def plan_update(*, actor, plan: Plan, theme: str, duration_minutes, teaching: str, activities: str,
                is_active: bool) -> Plan:
    """What a plan teaches and what visitors do. A base keeps at least two plans on offer."""
    grant = _catalogue_grant(actor, plan.base)
    theme = text_within(theme, limit=Plan._meta.get_field("theme").max_length, label=_("The theme"))
    if not theme:
        raise Invalid(_("Name the plan's theme."), code="invalid")
    try:
        duration_minutes = int(duration_minutes)
    except (TypeError, ValueError):
        duration_minutes = 0
    if not 15 <= duration_minutes <= 600:
        raise Invalid(_("A plan lasts 15 to 600 minutes."), code="invalid")
    teaching = text_within(teaching, limit=5000, label=_("The teaching list"))
    activities = text_within(activities, limit=5000, label=_("What the visitors do"))
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        offered = Plan.objects.filter(base_id=locked.base_id, is_active=True).exclude(pk=locked.pk).count()
        if not is_active and offered < 2:
            raise Conflict(_("A base offers at least two plans: add another before withdrawing this one."),
                           code="invalid_state")
        before = snapshot(locked, PLAN_FIELDS)
        locked.theme, locked.duration_minutes, locked.teaching = theme, duration_minutes, teaching
        locked.activities, locked.is_active = activities, bool(is_active)
        locked.save(update_fields=PLAN_FIELDS)
        audit_record(actor=actor, role=grant.role, action="booking.plan.edit", target=locked, before=before,
                     after=snapshot(locked, PLAN_FIELDS))
    return locked
