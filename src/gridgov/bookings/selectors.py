"""Reading the catalogue (public), a base's availability, and bookings as a given person may see them."""

import calendar
from datetime import date, timedelta

from django.db.models import Avg, Case, Count, Prefetch, Q, Sum, Value, When
from django.utils import timezone

from gridgov.bookings.models import (
    HOLDING_STATES,
    PENDING_STATES,
    Base,
    BasePhoto,
    BaseSlot,
    Booking,
    BookingState,
    Plan,
    Rating,
    Route,
    RouteStop,
    Section,
    SlotDay,
)
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.permissions import SYSTEM, grant_for, role_paths
from gridgov.orgs.tree import ancestor_paths, is_under, people_under, under

RELATED = ("base", "plan", "slot", "organisation", "booked_by", "reviewer", "liaison")


# ---------------------------------------------------------------- the catalogue


def sections_with_bases():
    bases = Base.objects.filter(is_active=True).order_by("order", "pk").annotate(plan_count=Count("plans"))
    return Section.objects.prefetch_related(Prefetch("bases", queryset=bases)).order_by("order", "pk")


def catalogue_bases(*, person):
    """The open bases for the catalogue's list, with their count of plans: those in the viewer's own area first
    (the street, or township, of each of their roles; their role's node when it lies above any street), then
    the rest, each part by section. Ordered for a pager: a province has thousands of bases (issue 18)."""
    area = home_areas(person)
    near = Case(When(under(area, "node__path"), then=Value(0)), default=Value(1)) if area else Value(1)
    return (Base.objects.filter(is_active=True).select_related("section").annotate(plan_count=Count("plans"), near=near)
            .order_by("near", "section__order", "section_id", "order", "pk"))


def home_areas(person) -> list[str]:
    """The paths of the streets (or townships) at or above the nodes of ``person``'s roles; a role above any
    street counts with its own node. One query; none for a visitor without a login."""
    paths = role_paths(person) if isinstance(person, Person) else []
    if not paths:
        return []
    streets = set(Node.objects.filter(path__in={prefix for path in paths for prefix in ancestor_paths(path)},
                                      kind=NodeKind.STREET).values_list("path", flat=True))
    return sorted({next((street for street in streets if path.startswith(street)), path) for path in paths})


def active_bases():
    return Base.objects.filter(is_active=True).select_related("section").order_by("section__order", "order", "pk")


def base_by_code(code: str) -> Base | None:
    return (Base.objects.filter(code=code, is_active=True).select_related("section", "node")
            .prefetch_related("slots", Prefetch("plans", queryset=Plan.objects.filter(is_active=True))).first())


def plan_by_id(pk: int) -> Plan | None:
    return (Plan.objects.filter(pk=pk, is_active=True, base__is_active=True)
            .select_related("base__section").prefetch_related("base__slots").first())


def base_photo(pk: int):
    return BasePhoto.objects.filter(pk=pk, base__is_active=True).select_related("base").first()


def plan_any(pk: int) -> Plan | None:
    """A plan whether offered or withdrawn (for its base's staff to edit)."""
    return Plan.objects.filter(pk=pk).select_related("base__node").first()


def plans_of(base: Base):
    """Every plan of the base, withdrawn ones too."""
    return Plan.objects.filter(base=base).order_by("order", "pk")


def routes():
    stops = RouteStop.objects.select_related("base__section").order_by("position")
    return Route.objects.prefetch_related(Prefetch("stops", queryset=stops)).order_by("order", "pk")


def route_by_code(code: str) -> Route | None:
    return routes().filter(code=code).first()


def trip_of(booking: Booking) -> list[Booking]:
    """The other bookings of the same route trip, in order (empty for a single booking)."""
    if not booking.trip:
        return []
    return list(Booking.objects.filter(trip=booking.trip).select_related("base", "slot").order_by("starts_at", "pk"))


def availability(*, base: Base, first: date, last: date) -> list[dict]:
    """Each day from ``first`` to ``last`` with each slot's places left (0 on closed days). Two queries."""
    slots = list(base.slots.all()) if hasattr(base, "_prefetched_objects_cache") else list(
        BaseSlot.objects.filter(base=base).order_by("starts_at"))
    taken = {(row["slot_id"], row["date"]): row["booked_people"] for row in
             SlotDay.objects.filter(slot__base=base, date__range=(first, last)).values("slot_id", "date",
                                                                                        "booked_people")}
    closed = set(base.closures.filter(date__range=(first, last)).values_list("date", flat=True))
    days = []
    day = first
    while day <= last:
        is_open = base.is_open_on(day) and day not in closed
        days.append({"date": day, "open": is_open, "slots": [
            {"slot": slot, "left": (slot.capacity - taken.get((slot.pk, day), 0)) if is_open else 0}
            for slot in slots]})
        day += timedelta(days=1)
    return days


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def next_open_slot(*, plan: Plan, headcount: int, now=None, days: int = 60) -> tuple[date, BaseSlot] | None:
    """The first date and slot (from tomorrow) with places for ``headcount``: what one tap books."""
    today = timezone.localdate(now)
    for day in availability(base=plan.base, first=today + timedelta(days=1), last=today + timedelta(days=days)):
        for entry in day["slots"]:
            if day["open"] and entry["left"] >= headcount:
                return day["date"], entry["slot"]
    return None


# ---------------------------------------------------------------- bookings


def bookings_for_organisations(*, person):
    """Bookings of the organisations in the person's booking area (what "my bookings" lists)."""
    return (Booking.objects.filter(under(role_paths(person, "booking.book"), "organisation__path"))
            .select_related(*RELATED).order_by("-starts_at", "-pk"))


def review_queue(*, person):
    """Bookings waiting on the person's answer: assigned to them, at a base they staff (its first review), or at
    the second review of a rule whose role they hold over its node. Most urgent first."""
    if person is None or person is SYSTEM:
        return Booking.objects.none()
    condition = Q(reviewer=person) | Q(state=BookingState.PENDING_BASE, base__staff=person)
    for rule_role, rule_path in _rule_roots(person):
        condition |= Q(state=BookingState.PENDING_SECOND, review_rule__reviewer_role=rule_role,
                       review_rule__reviewer_node__path__startswith=rule_path)
    return (Booking.objects.filter(condition, state__in=PENDING_STATES).distinct().select_related(*RELATED)
            .order_by("due_at", "pk"))


def _rule_roots(person) -> list[tuple[str, str]]:
    """(role, path) of each role the person holds: a rule's reviewer node at or under it is theirs to answer."""
    from gridgov.orgs.models import Role

    return [(role, path) for role in Role.values for path in role_paths(person, roles=[role])]


def liaison_visits(*, person, now=None):
    """Approved visits the person accompanies, from today; then recent ones to record."""
    today = timezone.localdate(now)
    return (Booking.objects.filter(liaison=person, state=BookingState.APPROVED, date__gte=today - timedelta(days=7))
            .select_related(*RELATED).order_by("starts_at", "pk"))


def booking_visible(*, person, booking: Booking) -> bool:
    if person is None:
        return False
    if person.pk in (booking.booked_by_id, booking.reviewer_id, booking.liaison_id):
        return True
    if is_under(booking.organisation.path, role_paths(person, "booking.book")):
        return True
    if is_under(booking.organisation.path, role_paths(person, "booking.manage")):
        return True
    if is_base_staff(person=person, base=booking.base):
        return True
    rule = booking.review_rule
    return bool(rule and is_under(rule.reviewer_node.path, role_paths(person, roles=[rule.reviewer_role])))


def may_change(*, person, booking: Booking) -> bool:
    """Whether the person may cancel or move the booking (a booker over its organisation, while it holds places)."""
    return booking.state in HOLDING_STATES and grant_for(person, "booking.book", booking) is not None


def may_decide(*, person, booking: Booking) -> bool:
    return booking.state in PENDING_STATES and review_queue(person=person).filter(pk=booking.pk).exists()


def booking_for(*, person, pk: int) -> Booking | None:
    booking = (Booking.objects.filter(pk=pk).select_related(*RELATED, "review_rule__reviewer_node")
               .first())
    return booking if booking is not None and booking_visible(person=person, booking=booking) else None


def organisations_for_booking(person) -> list[Node]:
    """The organisations the person may book for: the nodes of their booking roles (the deepest first)."""
    paths = role_paths(person, "booking.book")
    return list(Node.objects.filter(path__in=paths).order_by("-depth", "path"))


def liaisons_of(plan: Plan):
    return plan.liaisons.filter(is_active=True).order_by("pk")


MAX_MEMBERS_TO_TICK = 200


def members_to_tick(booking: Booking) -> list[Person]:
    """The organisation's members the liaison can tick as come (by name; none for a very large organisation,
    where the headcount alone is recorded)."""
    members = list(people_under([booking.organisation.path]).order_by("name", "pk")[:MAX_MEMBERS_TO_TICK + 1])
    return members if len(members) <= MAX_MEMBERS_TO_TICK else []


def contact_of(person: Person | None) -> dict:
    """Name and phone for the other side of a visit (both sides see each other's contact)."""
    if person is None:
        return {}
    return {"name": person.name, "phone": getattr(person, "phone", "") or ""}


# ---------------------------------------------------------------- figures


def bookings_stats() -> dict:
    per_state = dict(Booking.objects.values_list("state").annotate(n=Count("pk")).order_by())
    visits = Booking.objects.filter(state=BookingState.ATTENDED).aggregate(n=Sum("attendance__headcount"))["n"]
    return {"bookings": {
        "bases": Base.objects.count(), "routes": Route.objects.count(), "plans": Plan.objects.count(),
        "bookings": {state.value: per_state.get(state.value, 0) for state in BookingState},
        "person_visits": visits or 0, "ratings": Rating.objects.count(),
    }}


def rating_summary(*, booking: Booking) -> dict:
    row = Rating.objects.filter(booking=booking).aggregate(n=Count("pk"), mean=Avg("score"))
    return {"count": row["n"], "mean": round(row["mean"], 1) if row["mean"] else None}


def holding(queryset=None):
    return (queryset if queryset is not None else Booking.objects).filter(state__in=HOLDING_STATES)


# ---------------------------------------------------------------- a base's own calendar, the year's figures


def is_base_staff(*, person, base: Base) -> bool:
    """The one staff check: an active person on the base's staff (one query, on the staff link table)."""
    return (isinstance(person, Person) and person.is_active
            and Base.staff.through.objects.filter(base_id=base.pk, person_id=person.pk).exists())


def _managed(person):
    """The bases the person runs, unevaluated: those they staff; every base for a manager; none for a visitor."""
    if not isinstance(person, Person) or not person.is_active:
        return Base.objects.none()
    if role_paths(person, "booking.manage"):
        return Base.objects.all()
    return Base.objects.filter(staff=person)


def bases_managed(person) -> list[Base]:
    """The bases whose calendar and figures the person may see (the pages of the bases they run)."""
    return list(_managed(person).select_related("section").order_by("section__order", "order", "pk"))


def manages_a_base(person) -> bool:
    """Whether to offer the door to "my bases": one EXISTS, not the list, for the pages that only link to it."""
    return _managed(person).exists()


def may_manage_base(*, person, base: Base) -> bool:
    return is_base_staff(person=person, base=base) or bool(
        isinstance(person, Person) and role_paths(person, "booking.manage"))


def base_calendar(*, base: Base, first: date, last: date):
    """The base's visits from ``first`` to ``last`` (those holding places, and those made), by time."""
    return (Booking.objects.filter(base=base, date__gte=first, date__lte=last)
            .exclude(state__in=[BookingState.CANCELLED, BookingState.REJECTED])
            .select_related(*RELATED).order_by("starts_at", "pk"))


def may_assign_liaison(*, person, booking: Booking) -> bool:
    """An approved visit's liaison is chosen by the base's staff (or a manager) among the plan's pool."""
    if booking.state != BookingState.APPROVED or person is None or person is SYSTEM:
        return False
    return is_base_staff(person=person, base=booking.base) or grant_for(person, "booking.manage", booking) is not None


def year_figures(*, year: int, bases: list[Base]) -> tuple[list[dict], list[dict]]:
    """Per base and per section for visits dated in ``year``: bookings made, visited, no-shows, cancelled or
    declined, person-visits (the headcounts recorded on the day), ratings and their mean. Two grouped queries."""
    ids = [base.pk for base in bases]
    dated = Q(date__year=year)
    rows = {row["base"]: row for row in Booking.objects.filter(dated, base__in=ids).values("base").order_by().annotate(
        bookings=Count("pk"), attended=Count("pk", filter=Q(state=BookingState.ATTENDED)),
        no_show=Count("pk", filter=Q(state=BookingState.NO_SHOW)),
        dropped=Count("pk", filter=Q(state__in=[BookingState.CANCELLED, BookingState.REJECTED])),
        person_visits=Sum("attendance__headcount"))}
    ratings = {row["booking__base"]: row for row in Rating.objects.filter(booking__date__year=year,
                                                                          booking__base__in=ids)
               .values("booking__base").order_by().annotate(n=Count("pk"), total=Sum("score"))}
    per_base, per_section = [], {}
    for base in bases:
        row, rated = rows.get(base.pk, {}), ratings.get(base.pk, {})
        figures = {key: row.get(key) or 0 for key in ("bookings", "attended", "no_show", "dropped", "person_visits")}
        figures.update(ratings=rated.get("n", 0), score_total=rated.get("total") or 0)
        per_base.append({"section": base.section.name, "base": base.name, **figures})
        section = per_section.setdefault(base.section_id, {"section": base.section.name, "bases": 0,
                                                           **dict.fromkeys(figures, 0)})
        section["bases"] += 1
        for key, value in figures.items():
            section[key] += value
    sections = list(per_section.values())
    for row in (*per_base, *sections):
        row["mean"] = round(row["score_total"] / row["ratings"], 2) if row["ratings"] else None
    return per_base, sections


# ---------------------------------------------------------------- the base league (月比晒、季排位、年考评)

LEAGUE_WEIGHTS = {"volume": 30, "attendance": 25, "rating": 25, "on_time": 20}  # out of 100
LEAGUE_BOTTOM_SHARE = 0.1  # the yearly assessment flags the bottom tenth (at least one base) for 末位淘汰 review


def league(*, period: str) -> list[dict]:
    """Every active base's figures for visits dated in ``period`` (``2026-11``, ``2026-Q4`` or ``2026``) and its
    score out of 100: volume against the busiest base, attendance (visited of visits due), the mean rating out of
    5, and requests answered by the base itself in time (not handed over). Best first with competition ranks; in a
    yearly period the bottom tenth is flagged. Two grouped queries. ``ValueError`` for a malformed period."""
    from gridgov.indices.sources import period_bounds

    start, end = period_bounds(period)
    bases = list(active_bases())
    dated = Q(date__gte=start, date__lt=end)
    rows = {row["base"]: row for row in Booking.objects.filter(dated).values("base").order_by().annotate(
        made=Count("pk"), attended=Count("pk", filter=Q(state=BookingState.ATTENDED)),
        no_show=Count("pk", filter=Q(state=BookingState.NO_SHOW)),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        late=Count("pk", filter=Q(decided_at__isnull=False, handed_over=True)),
        people=Sum("attendance__headcount"))}
    rated = dict(Rating.objects.filter(booking__date__gte=start, booking__date__lt=end).values_list("booking__base")
                 .annotate(mean=Avg("score")).order_by())
    busiest = max((row["made"] for row in rows.values()), default=0)
    table = []
    for base in bases:
        row = rows.get(base.pk, {})
        made, attended, no_show = row.get("made", 0), row.get("attended", 0), row.get("no_show", 0)
        decided, late = row.get("decided", 0), row.get("late", 0)
        parts = {
            "volume": made / busiest if busiest else 0.0,
            "attendance": attended / (attended + no_show) if attended + no_show else 0.0,
            "rating": float(rated[base.pk]) / 5 if rated.get(base.pk) else 0.0,
            "on_time": (decided - late) / decided if decided else 0.0,
        }
        score = round(sum(LEAGUE_WEIGHTS[key] * value for key, value in parts.items()), 1)
        table.append({"base": base, "made": made, "attended": attended, "no_show": no_show,
                      "people": row.get("people") or 0, "mean": round(float(rated[base.pk]), 2) if rated.get(base.pk)
                      else None, "on_time": round(parts["on_time"] * 100) if decided else None, "score": score,
                      "flagged": False})
    table.sort(key=lambda entry: (-entry["score"], entry["base"].pk))
    for position, entry in enumerate(table):
        same = position and table[position - 1]["score"] == entry["score"]
        entry["rank"] = table[position - 1]["rank"] if same else position + 1
    if period.isdigit() and table:
        bottom = max(1, int(len(table) * LEAGUE_BOTTOM_SHARE))
        floor = table[-bottom]["score"]
        if floor < table[0]["score"]:  # when every base scores the same, nobody is last
            for entry in table:
                entry["flagged"] = entry["score"] <= floor
    return table
