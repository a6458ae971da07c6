"""Reading households: an area's list, a resident's own household, the resident file masked per level, a
member's linked households with what is due, a grid's coverage, and the counts for ``gridgov stats``."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from gridgov.errors import NotFound
from gridgov.households.models import (
    FileEntry,
    FileField,
    Household,
    Link,
    LinkQuota,
    Membership,
    PersonTag,
    Sensitivity,
    Visit,
)
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import grant_for, role_paths
from gridgov.orgs.tree import under

MASK = "＊＊＊"


def area_paths(person, action: str = "household.view") -> list[str]:
    return role_paths(person, action)


def households_in_area(person, *, query: str = "", node: Node | None = None):
    """Households under the person's area (and under ``node`` if given), with their head's name."""
    paths = area_paths(person)
    rows = Household.objects.filter(under(paths, "node__path")).select_related("node")
    if node is not None:
        rows = rows.filter(node__path__startswith=node.path)
    if query:
        rows = rows.filter(Q(house_number__icontains=query) | Q(address__icontains=query) | Q(code__iexact=query)
                           | Q(memberships__person__name__startswith=query, memberships__moved_out__isnull=True))
    return rows.distinct().order_by("node__path", "house_number", "pk")


def household_of(person) -> Household | None:
    """The household ``person`` lives in now, or None."""
    if not isinstance(person, Person):
        return None
    membership = Membership.objects.select_related("household__node").filter(
        person=person, moved_out__isnull=True).first()
    return membership.household if membership else None


def household_for(*, actor, pk) -> Household:
    """A household the actor may see (in their area, or their own home), else ``not_found``: the same answer as
    a household that does not exist, so nobody can probe other areas."""
    household = Household.objects.select_related("node").filter(pk=pk).first()
    if household is None:
        raise NotFound()
    if grant_for(actor, "household.view", household) is None and household_of(actor) != household:
        raise NotFound()
    return household


def current_members(household: Household) -> list[Membership]:
    memberships = list(household.memberships.filter(moved_out__isnull=True).select_related("person")
                       .order_by("moved_in", "pk"))
    tags = {}
    for person_id, tag in PersonTag.objects.filter(person__in=[m.person_id for m in memberships]).values_list(
            "person_id", "tag"):
        tags.setdefault(person_id, []).append(tag)
    for membership in memberships:
        membership.tags = sorted(tags.get(membership.person_id, []))
    return sorted(memberships, key=lambda m: (m.relation != "head", m.moved_in, m.pk))


def former_members(household: Household) -> list[Membership]:
    return list(household.memberships.filter(moved_out__isnull=False).select_related("person")
                .order_by("-moved_out", "pk"))


@dataclass
class FileRow:
    field: FileField
    shown: str  # the value, or the mask
    has_value: bool
    masked: bool  # the viewer must ask (an audited reading) to see it
    may_write: bool


def file_rows(*, actor, household: Household, resident: bool = False) -> list[FileRow]:
    """The resident file as the viewer may see it: open and internal values in full where their level allows,
    sensitive values always masked (reading one is ``services.file_read``, audited). A resident sees only the
    open fields of their own household."""
    values = dict(FileEntry.objects.filter(household=household).values_list("field_id", "value"))
    rows = []
    for field in FileField.objects.filter(is_active=True):
        may_read = grant_for(actor, f"household.file_read_{field.sensitivity}", household) is not None
        if resident and not may_read:
            may_read = field.sensitivity == Sensitivity.OPEN
            if not may_read:
                continue
        value = values.get(field.pk, "")
        masked = bool(value) and (field.sensitivity == Sensitivity.SENSITIVE or not may_read)
        rows.append(FileRow(
            field=field, shown=MASK if masked else value, has_value=bool(value),
            masked=masked and may_read,
            may_write=grant_for(actor, f"household.file_write_{field.sensitivity}", household) is not None))
    return rows


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def linked_households(member: Person, *, now=None):
    """The member's active links with the household, its last visit and whether it was visited this month."""
    since = month_start(now)
    links = (Link.objects.filter(member=member, ended_at__isnull=True).select_related("household__node")
             .annotate(last_visit=Max("household__visits__visited_at"))
             .order_by("visit_due_at", "household__house_number"))
    result = list(links)
    for link in result:
        link.visited_this_month = bool(link.last_visit and link.last_visit >= since)
        link.overdue = bool(link.visit_due_at and link.visit_due_at < (now or timezone.now()))
    return result


def recent_visits(household: Household, *, limit: int = 10):
    return list(household.visits.select_related("visitor").order_by("-visited_at")[:limit])


@dataclass
class MemberLoad:
    person_id: int
    name: str
    kind: str
    households: int
    minimum: int

    @property
    def under_quota(self) -> bool:
        return self.households < self.minimum


@dataclass
class Coverage:
    households: int
    linked: int
    unlinked_sample: list
    members: list[MemberLoad]

    @property
    def unlinked(self) -> int:
        return self.households - self.linked

    @property
    def members_under_quota(self) -> int:
        return sum(1 for member in self.members if member.under_quota)


def coverage(*, node: Node, sample: int = 50) -> Coverage:
    """How well ``node``'s households are served: how many have an active link, the first unlinked ones, and
    each linked member's load against the quota of their kind. Grouped queries, whatever the size."""
    households = Household.objects.filter(node__path__startswith=node.path)
    active = Link.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)
    linked = households.filter(Exists(active))
    unlinked = households.exclude(Exists(active)).select_related("node").order_by("node__path", "house_number")
    quotas = dict(LinkQuota.objects.values_list("kind", "minimum"))
    loads = (Link.objects.filter(node__path__startswith=node.path, ended_at__isnull=True)
             .values("member_id", "member__name", "kind").annotate(count=Count("household_id", distinct=True))
             .order_by("count", "member__name"))
    members = [MemberLoad(row["member_id"], row["member__name"], row["kind"], row["count"],
                          quotas.get(row["kind"], 0)) for row in loads]
    return Coverage(households=households.count(), linked=linked.count(), unlinked_sample=list(unlinked[:sample]),
                    members=members)


def visits_this_month(now=None) -> int:
    return Visit.objects.filter(visited_at__gte=month_start(now)).count()


def households_stats() -> dict:
    return {
        "households": Household.objects.count(),
        "household_members": Membership.objects.filter(moved_out__isnull=True).count(),
        "member_household_links": Link.objects.filter(ended_at__isnull=True).count(),
        "visits": visits_this_month(),
    }
