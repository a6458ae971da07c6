"""Reads with logic: the needs a volunteer may claim, a person's claims and needs, a cadre's list, hours
against the yearly rule (from the ledger's hours accounts), rankings, a call-out's live count, stats."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from gridgov.geo.selectors import street_of
from gridgov.ledger.selectors import hours_credited
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import ancestor_at, ancestor_paths, under
from gridgov.volunteers.models import (
    CLAIMABLE_STATES,
    Answer,
    Callout,
    CalloutAnswer,
    Claim,
    ClaimState,
    Need,
    NeedState,
    Volunteer,
)

YEARLY_MINUTES = 12 * 60  # 志愿汇: every employed party member volunteers at least 12 hours a year
REMINDER_FROM_MONTH = 10  # the last quarter: who is short is reminded


def volunteer_for(person) -> Volunteer | None:
    if person is None:
        return None
    return Volunteer.objects.filter(person=person).select_related("node").first()


def needs_square(*, person):
    """Published needs a registered volunteer may still claim: in their street, places left, soonest first."""
    volunteer = volunteer_for(person)
    if volunteer is None or not volunteer.is_active:
        return Need.objects.none()
    street = street_of(volunteer.node)
    return (Need.objects.filter(state__in=CLAIMABLE_STATES, node__path__startswith=street.path)
            .exclude(requester=person).select_related("category", "node").order_by("starts_at", "pk"))


def claims_of(*, person):
    return (Claim.objects.filter(volunteer=person).exclude(state=ClaimState.WITHDRAWN)
            .select_related("need", "need__category", "need__node").order_by("-claimed_at", "-pk"))


def needs_of(*, person):
    return Need.objects.filter(requester=person).select_related("category", "node").order_by("-submitted_at", "-pk")


def needs_in_area(*, person, state: str = ""):
    """Every need in the areas where ``person`` may see volunteer work (cadres, auditors, supervisors)."""
    paths = role_paths(person, "volunteer.view")
    found = Need.objects.filter(under(paths, "node__path")).select_related("category", "node", "requester")
    if state in NeedState.values:
        found = found.filter(state=state)
    return found.order_by("-submitted_at", "-pk")


def need_visible(*, person, need: Need) -> bool:
    """The requester, anyone told or claiming, a volunteer of its street, and the cadres of its area see it."""
    if person is None:
        return False
    if need.requester_id == person.pk or any(need.node.path.startswith(p) for p in role_paths(person,
                                                                                              "volunteer.view")):
        return True
    if need.claims.filter(volunteer=person).exists():
        return True
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


def standings(*, node: Node, year: int, party_only: bool = False) -> list[Standing]:
    """Every volunteer of ``node``'s area with the minutes credited in ``year``, fewest first (the short ones
    head the list). Two queries whatever the number of people."""
    volunteers = Volunteer.objects.filter(node__path__startswith=node.path, is_active=True)
    if party_only:
        volunteers = volunteers.filter(is_party_member=True)
    rows = list(volunteers.values_list("person_id", "person__name", "node__name", "is_party_member"))
    minutes = hours_credited(person_ids=[row[0] for row in rows], year=year) if rows else {}
    found = [Standing(pk, name, node_name, party, minutes.get(pk, 0)) for pk, name, node_name, party in rows]
    return sorted(found, key=lambda each: (not each.short, each.minutes, each.name))


def reminder_due(now=None) -> bool:
    return timezone.localdate(now).month >= REMINDER_FROM_MONTH


@dataclass
class RankRow:
    rank: int
    name: str
    minutes: int
    services: int
    rating: float | None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def ranking(*, node: Node, since, until, category=None, by: str = "person", limit: int = 50) -> list[RankRow]:
    """Volunteers (``by="person"``) or the communities and grids they belong to (``by="node"``, at the depth
    below ``node``) ranked by confirmed hours, then rating, in ``[since, until)``, optionally of one category."""
    claims = Claim.objects.filter(state=ClaimState.CONFIRMED, need__node__path__startswith=node.path,
                                  checked_out_at__gte=since, checked_out_at__lt=until)
    if category is not None:
        claims = claims.filter(need__category=category)
    if by == "node":
        grouped = claims.annotate(key=ancestor_at("volunteer__volunteer__node__path", node.depth + 1)).values("key")
        names = dict(Node.objects.filter(path__in=grouped.values("key")).values_list("path", "name"))
    else:
        grouped = claims.values("volunteer_id", "volunteer__name")
    rows = (grouped.order_by().annotate(minutes=Sum("minutes"), services=Count("pk"), stars=Avg("rating"))
            .order_by("-minutes", "-stars")[:limit])
    result = []
    for index, row in enumerate(rows, start=1):
        name = names.get(row["key"], "") if by == "node" else row["volunteer__name"]
        stars = round(row["stars"], 1) if row["stars"] is not None else None
        result.append(RankRow(index, name, row["minutes"] or 0, row["services"], stars))
    return result


@dataclass
class LiveCount:
    told: int
    coming: int
    cannot: int
    target: int
    points: list  # (name, latitude, longitude) of those coming with a known place

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.coming / self.target)) if self.target else 0


def callout_live(callout: Callout) -> LiveCount:
    answers = CalloutAnswer.objects.filter(callout=callout)
    counts = answers.aggregate(coming=Count("pk", filter=Q(answer=Answer.COMING)),
                               cannot=Count("pk", filter=Q(answer=Answer.CANNOT)))
    points = list(answers.filter(answer=Answer.COMING, latitude__isnull=False)
                  .values_list("person__name", "latitude", "longitude")[:2000])
    return LiveCount(callout.told, counts["coming"], counts["cannot"], callout.target, points)


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
