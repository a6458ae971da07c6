"""Reads with logic: the needs a volunteer may claim, a person's claims and needs, a cadre's list, hours
against the yearly rule (from the ledger's hours accounts), rankings, a call-out's live count, stats."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Case, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from gridgov.geo.selectors import centre_of_deepest, street_of
from gridgov.geo.selectors import features as geo_features
from gridgov.households.selectors import linked_household_paths
from gridgov.ledger.selectors import hours_credited
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import ancestor_at, ancestor_paths, at_or_above, under
from gridgov.volunteers import totals
from gridgov.volunteers.models import (
    CLAIMABLE_STATES,
    CLOSED_STATES,
    OPEN_STATES,
    Answer,
    Callout,
    CalloutAnswer,
    Claim,
    ClaimState,
    Need,
    NeedState,
    ServiceDay,
    ServiceTotal,
    Told,
    Volunteer,
)

YEARLY_MINUTES = 12 * 60  # 志愿汇: every employed party member volunteers at least 12 hours a year
REMINDER_FROM_MONTH = 10  # the last quarter: who is short is reminded


def volunteer_for(person) -> Volunteer | None:
    if person is None:
        return None
    return Volunteer.objects.filter(person=person).select_related("node").first()


def needs_square(*, person):
    """Published needs a registered volunteer may still claim, places left, soonest first: those in their street,
    and those whose place covers a household they are linked to (联户), wherever they registered — the needs
    they are told of and may claim. Four queries before the list's own, however many links.

    The places are the list of those nodes' ids (a street's few hundred), so the needs are read through their
    (node, state) index node by node. Filtered by the joined node's path, the planner scanned every need of the
    province; given the ids as a subquery, it still read every published need of the province for a small street
    and joined them to its nodes (79–92 ms at a tenth of a province, on every page of a volunteer: the
    navigation's badge counts this; issue 18, docs/scale.md)."""
    volunteer = volunteer_for(person)
    if volunteer is None or not volunteer.is_active:
        return Need.objects.none()
    street = street_of(volunteer.node)
    place = Q(path__startswith=street.path)
    linked = linked_household_paths(person)
    if linked:
        place |= at_or_above(linked)
    places = list(Node.objects.filter(place).order_by().values_list("pk", flat=True))
    return (Need.objects.filter(node_id__in=places, state__in=CLAIMABLE_STATES)
            .exclude(requester=person).select_related("category", "node").order_by("starts_at", "pk"))


def claims_of(*, person):
    return (Claim.objects.filter(volunteer=person).exclude(state=ClaimState.WITHDRAWN)
            .select_related("need", "need__category", "need__node").order_by("-claimed_at", "-pk"))


def needs_of(*, person):
    return Need.objects.filter(requester=person).select_related("category", "node").order_by("-submitted_at", "-pk")


RECENT_CLOSED_DAYS = 30  # the closed needs a cadre's list still shows: those submitted in the last month


class OpenThenClosed:
    """The rows of ``open`` then those of ``closed`` (two ordered querysets) as one list for a pager
    (``page_of``, the API's ``page``): a count of each, and a slice read from the one or two it spans. Each
    stays a plain range of its own index; ordered by a "closed" flag, one query would be read in full."""

    def __init__(self, open, closed):  # noqa: A002 (the word the docstring says)
        self.open, self.closed = open, closed
        self._open_count = None

    def open_count(self) -> int:
        if self._open_count is None:
            self._open_count = self.open.count()
        return self._open_count

    def count(self) -> int:
        return self.open_count() + self.closed.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index:index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < 0) or index.step not in (None, 1):
            raise ValueError("OpenThenClosed takes slices from the start, in order")
        split = self.open_count()
        rows = list(self.open[start:split if stop is None else min(stop, split)]) if start < split else []
        if stop is None or stop > split:
            rows += list(self.closed[max(start - split, 0):None if stop is None else stop - split])
        return rows


def needs_in_area(*, person, state: str = "", now=None) -> OpenThenClosed:
    """The needs in the areas where ``person`` may see volunteer work (cadres, auditors, supervisors): every open
    one (waiting to be published, for helpers, being served, for confirmation), newest first, then the closed
    ones (confirmed, cancelled, not published) submitted in the last ``RECENT_CLOSED_DAYS`` days, newest first;
    ``state`` narrows to one state within the same bounds (docs/decisions.md, "The area's needs").

    The area is the ids of its nodes (a subquery over the tree's path index), and the needs are read through
    the open and the closed needs' indexes by node: what is read follows the open needs and a month of closed
    ones, not the years of needs behind them."""
    paths = role_paths(person, "volunteer.view")
    since = (now or timezone.now()) - timedelta(days=RECENT_CLOSED_DAYS)
    found = (Need.objects.filter(node_id__in=Node.objects.filter(under(paths)).values("pk"))
             .select_related("category", "node").order_by("-submitted_at", "-pk"))
    open_states, closed_states = OPEN_STATES, CLOSED_STATES
    if state in NeedState.values:
        open_states, closed_states = [each for each in open_states if each == state], [
            each for each in closed_states if each == state]
    return OpenThenClosed(found.filter(state__in=open_states) if open_states else found.none(),
                          found.filter(state__in=closed_states, submitted_at__gte=since) if closed_states
                          else found.none())


def need_visible(*, person, need: Need) -> bool:
    """The requester, anyone told or claiming, a volunteer of its street, and the cadres of its area see it."""
    if person is None:
        return False
    if need.requester_id == person.pk or any(need.node.path.startswith(p) for p in role_paths(person,
                                                                                              "volunteer.view")):
        return True
    if need.claims.filter(volunteer=person).exists() or Told.objects.filter(need=need, person_id=person.pk).exists():
        return True  # a linked member registered in another street is told of the need, and may claim it
    volunteer = volunteer_for(person)
    return volunteer is not None and volunteer.node.path.startswith(street_of(need.node).path)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def this_year(now=None) -> int:
    return timezone.localdate(now).year


def minutes_in_year(*, person, year: int) -> int:
    return hours_credited(person_ids=[person.pk], year=year).get(person.pk, 0)


@dataclass
class Standing:
    person_id: int
    name: str
    node_name: str
    is_party_member: bool
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def short(self) -> bool:
        return self.is_party_member and self.minutes < YEARLY_MINUTES

    @property
    def short_by_hours(self) -> float:
        return round(max(YEARLY_MINUTES - self.minutes, 0) / 60, 1)


class Standings:
    """An area's standings as a list for a pager (``page_of``, the API's ``page``), ordered in SQL: a count,
    the count of the short ones, and a slice read as ``Standing`` rows; iterating reads them all once."""

    def __init__(self, rows):
        self.rows = rows
        self._all = None

    def count(self) -> int:
        return len(self._all) if self._all is not None else self.rows.count()

    def short_count(self) -> int:
        if self._all is not None:
            return sum(1 for each in self._all if each.short)
        return self.rows.filter(short=0).count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        if self._all is None:
            self._all = [Standing(*row) for row in self.rows]
        return iter(self._all)

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return [Standing(*row) for row in self.rows[index]]
        return Standing(*self.rows[index])


def standings(*, node: Node, year: int, party_only: bool = False) -> Standings:
    """Every volunteer of ``node``'s area with the minutes of their service confirmed in ``year`` (anywhere:
    the service totals' ``EVERYWHERE`` row, what the ledger credited their hours account), the party members
    short of the rule first, then fewest minutes first, then by name. One query whatever the number of people
    (an index lookup per volunteer, not a year of their claims or postings), or a count and a page of it: the
    order is the query's, so a page of a large street reads 50 rows, not every volunteer as objects.

    The area's volunteers are read by the ids of its nodes (a subquery over the tree's path index) through
    their (node, is_active) index: filtered by the joined node's path, the planner scanned every volunteer of
    the province (issue 18)."""
    volunteers = Volunteer.objects.filter(node_id__in=Node.objects.filter(path__startswith=node.path).values("pk"),
                                          is_active=True)
    if party_only:
        volunteers = volunteers.filter(is_party_member=True)
    kept = ServiceTotal.objects.filter(node_id=ServiceTotal.EVERYWHERE, period=f"{int(year):04d}",
                                       person_id=OuterRef("person_id")).values("minutes")[:1]
    short = Case(When(is_party_member=True, minutes__lt=YEARLY_MINUTES, then=Value(0)), default=Value(1))
    rows = (volunteers.annotate(minutes=Coalesce(Subquery(kept), Value(0)), short=short)
            .order_by("short", "minutes", "person__name", "person_id")
            .values_list("person_id", "person__name", "node__name", "is_party_member", "minutes"))
    return Standings(rows)


def reminder_due(now=None) -> bool:
    return timezone.localdate(now).month >= REMINDER_FROM_MONTH


@dataclass
class RankRow:
    rank: int
    key: object  # a person's id, or a node's path
    name: str
    minutes: int
    services: int
    rating: float | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def name_masked(self) -> str:
        return self.name[:1] + "*" * max(len(self.name) - 1, 1) if self.name else ""


RANK_ORDERS = ("hours", "rating")
PERIODS = ("month", "quarter", "year")


def period_bounds(period: str, day) -> tuple[datetime, datetime]:
    """The month, quarter or year containing ``day`` (a date), as local midnights."""
    zone = timezone.get_default_timezone()
    if period == "month":
        first = datetime(day.year, day.month, 1, tzinfo=zone)
        months = 1
    elif period == "quarter":
        first = datetime(day.year, 3 * ((day.month - 1) // 3) + 1, 1, tzinfo=zone)
        months = 3
    else:
        return year_bounds(day.year)
    month = first.month - 1 + months
    return first, datetime(first.year + month // 12, month % 12 + 1, 1, tzinfo=zone)


def kept_periods(since, until) -> list[str] | None:
    """The periods of the service totals that make up ``[since, until)``: a local year (``["YYYY"]``) or whole
    local months (``["YYYY-MM", …]``, a quarter: three); None when it is neither (the claims are read)."""
    start, end = timezone.localtime(since), timezone.localtime(until)
    if (start.day, start.hour, start.minute, start.second, start.microsecond) != (1, 0, 0, 0, 0) or end <= start:
        return None
    if (start.month, start.year + 1) == (1, end.year) and year_bounds(start.year) == (since, until):
        return [f"{start.year:04d}"]
    months, first = [], start.date()
    while len(months) <= 12:
        months.append(first.strftime("%Y-%m"))
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        bound = datetime(first.year, first.month, 1, tzinfo=timezone.get_default_timezone())
        if bound == end:
            return months
        if bound > end:
            return None
    return None


def ranking(*, node: Node, since, until, category=None, by: str = "person", order: str = "hours",
            limit: int = 50) -> list[RankRow]:
    """Volunteers (``by="person"``) or the units they belong to (``by="node"``: the nodes one level below
    ``node`` — a street's communities, a community's grids) ranked by the hours of their confirmed service in
    ``[since, until)`` (by check-in, the month the hours count in), or by the requesters' average rating
    (``order="rating"``; unrated services do not count for it, those never rated come last), optionally in one
    category. Only services in ``node``'s area count, and for units only helpers registered there. Equal
    values share a rank. One query.

    A street's, community's or grid's month, quarter or year in every category is read from the service
    totals (``totals``): a month's or a year's people are one index range (by hours), whatever the number of
    claims; anything else (another kind of node or period, one category) groups the claims."""
    periods = kept_periods(since, until) if category is None and totals.is_level(node) else None
    rows = (_ranked_totals(node=node, periods=periods, by=by, order=order, limit=limit) if periods
            else _ranked_claims(node=node, since=since, until=until, category=category, by=by, order=order,
                                limit=limit))
    names = (dict(Node.objects.filter(path__in=[row["key"] for row in rows]).values_list("path", "name"))
             if by == "node" else {row["key"]: row["name"] for row in rows})
    result, previous = [], None
    for index, row in enumerate(rows, start=1):
        stars = round(row["average"], 1) if row["average"] is not None else None
        value = (stars, row["total"]) if order == "rating" else (row["total"], stars)
        rank = result[-1].rank if result and value == previous else index
        previous = value
        result.append(RankRow(rank, row["key"], names.get(row["key"], ""), row["total"] or 0, row["count"],
                              stars))
    return result


def _ordered(rows, *, order: str, limit: int) -> list[dict]:
    """``total`` (minutes) is never null: a plain ``DESC``, the order of the totals' index (``NULLS LAST`` would
    not match it on PostgreSQL)."""
    average, total = F("average").desc(nulls_last=True), F("total").desc()
    first, second = (average, total) if order == "rating" else (total, average)
    return list(rows.order_by(first, second, "key")[:limit])


def _ranked_claims(*, node, since, until, category, by, order, limit) -> list[dict]:
    claims = Claim.objects.filter(state=ClaimState.CONFIRMED, need__node__path__startswith=node.path,
                                  checked_in_at__gte=since, checked_in_at__lt=until)
    if category is not None:
        claims = claims.filter(need__category=category)
    if by == "node":
        claims = claims.filter(volunteer__volunteer__node__path__startswith=node.path,
                               volunteer__volunteer__node__depth__gt=node.depth)
        grouped = claims.annotate(key=ancestor_at("volunteer__volunteer__node__path", node.depth + 1)).values("key")
    else:
        grouped = claims.annotate(key=F("volunteer_id"), name=F("volunteer__name")).values("key", "name")
    return _ordered(grouped.order_by().annotate(total=Sum("minutes"), count=Count("pk"), average=Avg("rating")),
                    order=order, limit=limit)


def _average(stars, rated):
    return Cast(stars, FloatField()) / NullIf(rated, 0)


def _ranked_totals(*, node, periods, by, order, limit) -> list[dict]:
    kept = ServiceTotal.objects.filter(node_id=node.pk, period__in=periods)
    if by == "node":
        kept = kept.filter(person__volunteer__node__path__startswith=node.path,
                           person__volunteer__node__depth__gt=node.depth)
        grouped = kept.annotate(key=ancestor_at("person__volunteer__node__path", node.depth + 1)).values("key")
    elif len(periods) == 1:  # one row a person: the index's order (node, period, minutes desc), no grouping
        return _ordered(kept.annotate(key=F("person_id"), name=F("person__name"), total=F("minutes"),
                                      count=F("services"), average=_average(F("stars"), F("rated")))
                        .values("key", "name", "total", "count", "average"), order=order, limit=limit)
    else:
        grouped = kept.annotate(key=F("person_id"), name=F("person__name")).values("key", "name")
    return _ordered(grouped.order_by().annotate(total=Sum("minutes"), count=Sum("services"),
                                                average=_average(Sum("stars"), Sum("rated"))),
                    order=order, limit=limit)


@dataclass
class Coming:
    """Someone who answered 到, and where the map draws them from: the location they shared when answering
    (``shared``), else their registered volunteer location (``registered``), else the centre of their grid's
    boundary (``grid``); ``""`` when none is known (counted and listed, not drawn)."""

    person_id: int
    name: str
    latitude: float | None
    longitude: float | None
    source: str


@dataclass
class LiveCount:
    told: int
    coming: int
    cannot: int
    target: int
    people: list  # Coming, the first MAP_LIMIT to answer, for the cadres of the area only

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.coming / self.target)) if self.target else 0

    @property
    def drawn(self) -> list:
        return [each for each in self.people if each.source]

    @property
    def unlocated(self) -> list:
        return [each for each in self.people if not each.source]


MAP_LIMIT = 5000  # people drawn and listed; a larger answer is counted in full


def callout_live(callout: Callout, *, with_people: bool = True) -> LiveCount:
    """The live count against the target and (``with_people``: for the area's cadres) who is coming, from
    where. Two queries (the centre of the grid of someone without a location was found when they answered)."""
    answers = CalloutAnswer.objects.filter(callout=callout)
    counts = answers.aggregate(coming=Count("pk", filter=Q(answer=Answer.COMING)),
                               cannot=Count("pk", filter=Q(answer=Answer.CANNOT)))
    people = callout_coming(callout) if with_people and counts["coming"] else []
    return LiveCount(callout.told, counts["coming"], counts["cannot"], callout.target, people)


def callout_coming(callout: Callout, *, limit: int = MAP_LIMIT) -> list[Coming]:
    """Who answered 到, first to answer first, each with the place the map draws them at (see ``Coming``)."""
    rows = list(CalloutAnswer.objects.filter(callout=callout, answer=Answer.COMING)
                .order_by("answered_at", "pk")
                .values_list("person_id", "person__name", "latitude", "longitude", "person__volunteer__latitude",
                             "person__volunteer__longitude", "centre_latitude", "centre_longitude")[:limit])
    found = []
    for person_id, name, lat, lon, own_lat, own_lon, centre_lat, centre_lon in rows:
        if lat is not None:
            found.append(Coming(person_id, name, float(lat), float(lon), "shared"))
        elif own_lat is not None:
            found.append(Coming(person_id, name, float(own_lat), float(own_lon), "registered"))
        elif centre_lat is not None:
            found.append(Coming(person_id, name, float(centre_lat), float(centre_lon), "grid"))
        else:
            found.append(Coming(person_id, name, None, None, ""))
    return found


def grid_centre(area: Node, node: Node) -> tuple[float, float] | None:
    """The (latitude, longitude) of the centre of the nearest boundary at or above ``node``, up to ``area`` (a
    volunteer registered in a building is drawn at their micro-grid's centre); None when none is drawn. Read
    once, when someone without a location answers a call-out (``CalloutAnswer.centre_latitude``), in one query
    (``geo.selectors.centre_of_deepest``)."""
    if not node.path.startswith(area.path):
        return None
    return centre_of_deepest([path for path in ancestor_paths(node.path) if path.startswith(area.path)])


def callout_map(callout: Callout, *, cadre: bool, boundaries: bool = False, live: LiveCount | None = None) -> dict:
    """What the call-out's map draws: the assembly point (when the call-out carries its coordinates), and for
    the area's cadres a marker per person coming (with their name) and those without a location, counted and
    named. ``boundaries``: the area's GeoJSON too (the page asks once; the refreshes leave it out).
    ``drawable`` is false when there is nothing to put on a map (no location, and no boundary when they were
    asked for)."""
    live = live or callout_live(callout, with_people=cadre)
    assembly = None
    if callout.latitude is not None:
        assembly = {"name": callout.assembly_point, "lat": float(callout.latitude), "lon": float(callout.longitude)}
    people = [{"name": each.name, "lat": each.latitude, "lon": each.longitude, "source": each.source}
              for each in live.drawn]
    area = json.loads(geo_features(node=callout.node, depth=1)) if boundaries else None
    return {"id": callout.pk, "closed": callout.closed_at is not None, "told": live.told, "target": live.target,
            "coming": live.coming, "cannot": live.cannot, "assembly": assembly, "people": people,
            "unlocated": [each.name for each in live.unlocated], "not_listed": live.coming - len(live.people)
            if cadre else 0, "drawable": bool(assembly or people or (area and area["features"])), "boundaries": area}


def callout_in_area(*, person, callout: Callout) -> bool:
    """Whether ``person`` sees volunteer work where ``callout`` is (its cadres: the names, the map of people)."""
    return any(callout.node.path.startswith(path) for path in role_paths(person, "volunteer.view"))


def callouts_in_area(*, person):
    return Callout.objects.filter(under(role_paths(person, "volunteer.view"), "node__path")).select_related("node")


def callouts_for(*, person):
    """The call-outs of the areas a volunteer belongs to, newest first."""
    volunteer = volunteer_for(person)
    if volunteer is None:
        return Callout.objects.none()
    return Callout.objects.filter(node__path__in=ancestor_paths(volunteer.node.path)).select_related("node")


def answer_of(*, callout: Callout, person) -> CalloutAnswer | None:
    return CalloutAnswer.objects.filter(callout=callout, person=person).first()


def volunteers_stats() -> dict:
    by_state = dict(Need.objects.values_list("state").annotate(n=Count("pk")).order_by())
    minutes = sum(hours_credited(year=this_year()).values())
    return {
        "volunteer_needs": {state: by_state.get(state, 0) for state in NeedState.values},
        "volunteer_hours": round(minutes / 60, 1),
        "callouts": Callout.objects.count(),
    }


def service_days_in_area(*, person):
    """The service-day rules of the areas where ``person`` manages volunteer work."""
    return (ServiceDay.objects.filter(under(role_paths(person, "volunteer.manage"), "node__path"))
            .select_related("node", "category", "owner").order_by("node__path", "pk"))


PUBLIC_KINDS = (NodeKind.COMMUNITY, NodeKind.VILLAGE)


def public_community(code: str) -> Node | None:
    """The community (or village) whose public volunteer page ``code`` names."""
    return Node.objects.filter(code=code, kind__in=PUBLIC_KINDS).first()


def public_communities(*, node: Node):
    """The communities at, under or above ``node`` that have a public page (a cadre's links to them)."""
    return Node.objects.filter(Q(path__startswith=node.path) | Q(path__in=ancestor_paths(node.path)),
                               kind__in=PUBLIC_KINDS).order_by("path")[:50]


def area_hours(*, node: Node, since, until, category=None, order: str = "hours") -> dict:
    """The totals of an area's confirmed service in a period: services, helpers, hours."""
    claims = Claim.objects.filter(state=ClaimState.CONFIRMED, need__node__path__startswith=node.path,
                                  checked_in_at__gte=since, checked_in_at__lt=until)
    if category is not None:
        claims = claims.filter(need__category=category)
    found = claims.aggregate(minutes=Sum("minutes"), services=Count("need_id", distinct=True),
                             helpers=Count("volunteer_id", distinct=True))
    return {"hours": round((found["minutes"] or 0) / 60, 1), "services": found["services"],
            "helpers": found["helpers"]}
