"""Households: creating them, moving people in and out, the resident file, care tags, links and visits.

Every write checks the actor with ``orgs.permissions.require`` against the household's node, changes state in
one transaction and writes an audit record. Reading a sensitive field of the resident file is a service too
(``file_read``): it is allowed per sensitivity level and every reading is audited (PIPL).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import Conflict, DomainError, Invalid, refusal
from gridgov.geo.selectors import covers_point
from gridgov.households.models import (
    CareTag,
    ChecklistItem,
    FileEntry,
    FileField,
    Household,
    Link,
    LinkKind,
    Membership,
    PersonTag,
    Relation,
    Sensitivity,
    Visit,
    VisitFrequency,
    VisitPoints,
)
from gridgov.households.selectors import household_grid
from gridgov.limits import check_date, location, text_within
from gridgov.media import process_photo
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.permissions import SYSTEM, grant_for, require
from gridgov.orgs.tree import holds_role_under, paying_node
from gridgov.reports.models import Category
from gridgov.reports.services import report_file

HOUSEHOLD_KINDS = (NodeKind.MICRO_GRID, NodeKind.BUILDING)
DEFAULT_VISIT_DAYS = 30
MAX_VALUE = FileEntry._meta.get_field("value").max_length
MAX_NOTE = Visit._meta.get_field("note").max_length
HOUSEHOLD_FIELDS = ["code", "node_id", "house_number", "address"]


# ---------------------------------------------------------------- households and members


def household_checked(*, node, code: str, house_number: str, address: str = "") -> dict:
    """The household's fields checked as every caller (page, API, import) must: refusals before writing."""
    if not isinstance(node, Node) or node.kind not in HOUSEHOLD_KINDS:
        raise refusal("household_node", _("A household lies in a micro-grid or a building."))
    code = text_within(code, limit=32, label=_("The household code"))
    house_number = text_within(house_number, limit=50, label=_("The house number"))
    if not code or not house_number:
        raise Invalid(_("A household needs a code and a house number."))
    return {"node": node, "code": code, "house_number": house_number,
            "address": text_within(address, limit=200, label=_("The address"))}


def household_create(*, actor, node: Node, code: str, house_number: str, address: str = "") -> Household:
    fields = household_checked(node=node, code=code, house_number=house_number, address=address)
    grant = require(actor, "household.manage", node)
    try:
        with transaction.atomic():
            household = Household.objects.create(**fields)
            audit_record(actor=actor, role=grant.role, action="household.create", target=household,
                         after=snapshot(household, HOUSEHOLD_FIELDS))
    except IntegrityError:
        raise refusal("duplicate_household", _("Another household already has the code %(code)s.")
                      % {"code": fields["code"]}) from None
    return household


def current_household(person: Person) -> Membership | None:
    return Membership.objects.select_related("household").filter(person=person, moved_out__isnull=True).first()


def member_move_in(*, actor, household: Household, person: Person, relation: str, moved_in) -> Membership:
    """``person`` comes to live in ``household``; a person lives in one household at a time."""
    grant = require(actor, "household.manage", household)
    if relation not in Relation.values:
        raise Invalid(_("Choose the relation to the head from the list."))
    moved_in = check_date(moved_in, label=_("The moving-in date"), past=True)
    try:
        with transaction.atomic():
            elsewhere = current_household(person)
            if elsewhere is not None:
                raise refusal("already_in_household", _("%(name)s already lives in household %(household)s; "
                                                        "record the move out there first.")
                              % {"name": person.name, "household": elsewhere.household})
            if relation == Relation.HEAD and household.memberships.filter(
                    moved_out__isnull=True, relation=Relation.HEAD).exists():
                raise refusal("head_required", _("The household already has a head living in it."))
            membership = Membership.objects.create(household=household, person=person, relation=relation,
                                                   moved_in=moved_in)
            audit_record(actor=actor, role=grant.role, action="household.move_in", target=household,
                         after={"person": person.pk, "relation": relation, "moved_in": moved_in})
    except IntegrityError:  # a concurrent move-in won the unique index
        raise refusal("already_in_household", _("%(name)s already lives in another household.")
                      % {"name": person.name}) from None
    return membership


def member_move_out(*, actor, household: Household, person: Person, moved_out) -> Membership:
    grant = require(actor, "household.manage", household)
    moved_out = check_date(moved_out, label=_("The moving-out date"), past=True)
    with transaction.atomic():
        membership = (Membership.objects.select_for_update()
                      .filter(household=household, person=person, moved_out__isnull=True).first())
        if membership is None:
            raise refusal("not_a_member", _("%(name)s does not live in this household.") % {"name": person.name})
        if moved_out < membership.moved_in:
            raise Invalid(_("The moving-out date lies before the moving-in date."))
        membership.moved_out = moved_out
        membership.save(update_fields=["moved_out"])
        audit_record(actor=actor, role=grant.role, action="household.move_out", target=household,
                     after={"person": person.pk, "moved_out": moved_out})
    return membership


# ---------------------------------------------------------------- the resident file


def may_read(actor, field: FileField, household: Household) -> bool:
    return grant_for(actor, f"household.file_read_{field.sensitivity}", household) is not None


def file_read(*, actor, household: Household, field: FileField) -> str:
    """The value of one field, for someone allowed its level; a sensitive one is audited at each reading."""
    grant = require(actor, f"household.file_read_{field.sensitivity}", household)
    entry = FileEntry.objects.filter(household=household, field=field).first()
    if field.sensitivity == Sensitivity.SENSITIVE:
        audit_record(actor=actor, role=grant.role, action="household.file_read", target=household,
                     after={"field": field.code})
    return entry.value if entry else ""


def file_write(*, actor, household: Household, field: FileField, value: str, now=None) -> FileEntry | None:
    """Set (or, with an empty value, clear) one field; writing nothing new writes nothing."""
    if not isinstance(field, FileField) or not field.is_active:
        raise refusal("unknown_field", _("No such field in the resident file."))
    grant = require(actor, f"household.file_write_{field.sensitivity}", household)
    value = text_within(value, limit=MAX_VALUE, label=field.label)
    now = now or timezone.now()
    with transaction.atomic():
        entry = FileEntry.objects.select_for_update().filter(household=household, field=field).first()
        before = entry.value if entry else ""
        if before == value:
            return entry
        if entry is None:
            entry = FileEntry(household=household, field=field)
        if value:
            entry.value, entry.updated_at, entry.updated_by = value, now, _person_or_none(actor)
            entry.save()
        else:
            entry.delete()
            entry = None
        # The values of sensitive fields stay out of the audit trail (it is read more widely than they are).
        shown = field.sensitivity != Sensitivity.SENSITIVE
        audit_record(actor=actor, role=grant.role, action="household.file_write", target=household,
                     before={"field": field.code, **({"value": before} if shown else {})},
                     after={"field": field.code, **({"value": value} if shown else {"changed": True})})
    return entry


def _person_or_none(actor):
    return None if actor is SYSTEM else actor


# ---------------------------------------------------------------- care tags


def tag_set(*, actor, person: Person, tag: str, on: bool, now=None) -> bool:
    """Add or remove a care tag of a member of a household in the actor's area; True when something changed."""
    if tag not in CareTag.values:
        raise refusal("unknown_tag", _("No such care tag."))
    membership = current_household(person)
    if membership is None:
        raise refusal("not_a_member", _("%(name)s lives in no household yet.") % {"name": person.name})
    grant = require(actor, "household.tag", membership.household)
    now = now or timezone.now()
    with transaction.atomic():
        if on:
            _tag, changed = PersonTag.objects.get_or_create(person=person, tag=tag, defaults={
                "added_at": now, "added_by": _person_or_none(actor)})
        else:
            changed = PersonTag.objects.filter(person=person, tag=tag).delete()[0] > 0
        if changed:
            audit_record(actor=actor, role=grant.role, action="household.tag" if on else "household.untag",
                         target=membership.household, after={"person": person.pk, "tag": tag})
            reschedule_visits(membership.household, now=now)
    return changed


def visit_days(household: Household) -> int:
    """Days allowed between visits: the shortest frequency of its members' tags, else the default."""
    tags = PersonTag.objects.filter(person__memberships__household=household,
                                    person__memberships__moved_out__isnull=True).values("tag")
    days = VisitFrequency.objects.filter(tag__in=tags).values_list("days", flat=True)
    return min(days, default=DEFAULT_VISIT_DAYS)


def reschedule_visits(household: Household, *, now) -> None:
    """After a visit or a change of tags: each active link's next visit is due ``visit_days`` after the last."""
    last = household.visits.order_by("-visited_at").values_list("visited_at", flat=True).first()
    due = (last or now) + timedelta(days=visit_days(household))
    Link.objects.filter(household=household, ended_at__isnull=True).update(visit_due_at=due)


# ---------------------------------------------------------------- links (联户)


def link_create(*, actor, household: Household, member: Person, kind: str, now=None) -> Link:
    """Link ``member`` to serve ``household``: they must hold a role in the household's grid."""
    grant = require(actor, "household.link", household)
    if kind not in LinkKind.values:
        raise Invalid(_("Choose whether the member is a party member or a grid worker."))
    grid = household_grid(household)
    if not member.is_active or not holds_role_under(member, grid):
        raise refusal("link_outside_grid", _("%(name)s serves no part of %(grid)s.")
                      % {"name": member.name, "grid": grid.name})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            link = Link.objects.create(household=household, member=member, kind=kind, node=household.node,
                                       created_at=now, visit_due_at=now + timedelta(days=visit_days(household)))
            audit_record(actor=actor, role=grant.role, action="household.link", target=household,
                         after={"member": member.pk, "kind": kind})
    except IntegrityError:
        raise refusal("already_linked", _("%(name)s is already linked to this household.")
                      % {"name": member.name}) from None
    return link


def link_end(*, actor, link: Link, now=None) -> Link:
    grant = require(actor, "household.link", link.household)
    now = now or timezone.now()
    with transaction.atomic():
        changed = Link.objects.filter(pk=link.pk, ended_at__isnull=True).update(
            ended_at=now, visit_due_at=None, state="ended")
        if not changed:
            raise Conflict(_("This link has already ended."), code="invalid_state")
        audit_record(actor=actor, role=grant.role, action="household.unlink", target=link.household,
                     after={"member": link.member_id})
    link.refresh_from_db()
    return link


# ---------------------------------------------------------------- visits (走访)


def visit_record(*, actor, household: Household, checked=(), note: str = "", latitude=None, longitude=None,
                 photo=None, report_category: Category | None = None, idempotency_key: str = "",
                 now=None) -> Visit:
    """Record a visit made now; with ``report_category`` what was found becomes a report (work order) at once.

    The visitor is a member linked to the household, or holds ``household.visit`` in its area. A location
    outside the household's micro-grid (where its boundary is drawn) is refused."""
    now = now or timezone.now()
    linked = Link.objects.filter(household=household, member=actor, ended_at__isnull=True).exists() \
        if isinstance(actor, Person) else False
    role = "linked_member" if linked else require(actor, "household.visit", household).role
    key = str(idempotency_key or "")[:64]
    if key and (first := Visit.objects.filter(visitor=actor, idempotency_key=key).first()):
        return first
    codes = _checklist(checked)
    note = text_within(note, limit=MAX_NOTE, label=_("What was found"))
    place = location(latitude, longitude)
    if place is not None and covers_point(household.node, lon=place[1], lat=place[0]) is False:
        raise refusal("outside_boundary", _("This location lies outside %(node)s, where the household lives. Check "
                                            "in at the household.") % {"node": household.node.name})
    if report_category is not None and not note:
        raise Invalid(_("Say what was found before turning it into a report."))
    processed = process_photo(photo, keep_location=False) if photo else None
    with transaction.atomic():
        visit = Visit(household=household, visitor=actor, node=household.node, visited_at=now, checked=codes,
                      note=note, idempotency_key=key, latitude=place[0] if place else None,
                      longitude=place[1] if place else None)
        if processed:
            visit.photo = processed[0]
        if report_category is not None:
            report = report_file(actor=actor, node=household.node, category=report_category, text=note,
                                 address=household.address or household.house_number,
                                 latitude=visit.latitude, longitude=visit.longitude, now=now)
            visit.report_id = report.pk
        visit.save()
        audit_record(actor=actor, role=role, action="household.visit", target=household,
                     after={"visit": visit.pk, "checked": codes, "report": visit.report_id,
                            "located": place is not None})
        reschedule_visits(household, now=now)
    _points_for_visit(visit)
    return visit


def points_per_visit(household: Household) -> int:
    """What a visit of ``household`` earns (``VisitPoints``, data): the highest rate among its members' tags, else
    the rate for every visit, else nothing."""
    return points_per_visit_of([household.pk])[household.pk]


def points_per_visit_of(household_ids) -> dict[int, int]:
    """``points_per_visit`` for many households at once (two queries): household id → points."""
    rates = dict(VisitPoints.objects.values_list("tag", "points"))
    tagged: dict[int, list[int]] = {}
    rows = (Membership.objects.filter(household_id__in=household_ids, moved_out__isnull=True)
            .values_list("household_id", "person__care_tags__tag"))
    for household_id, tag in rows:
        if tag in rates and tag != "":
            tagged.setdefault(household_id, []).append(rates[tag])
    return {pk: max(tagged[pk]) if pk in tagged else rates.get("", 0) for pk in household_ids}


def visit_points_key(visit: Visit) -> str:
    """The ledger's idempotency key of a visit's points: a retry, or the demo's batch, never pays twice."""
    return f"households:visit:{visit.pk}:points"


def visit_points_reason(household: Household) -> str:
    """The statement line of a visit's points, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):  # the statement keeps the installation's language
        return (_("Household visit points: %(household)s") % {
            "household": household.address or household.house_number})[:200]


def _points_for_visit(visit: Visit) -> None:
    """A visit earns its visitor governance points by the visit rule (``points_per_visit``), from the budget of
    the community (or street) paying for the household's area: the ledger's ``grant_points``, key
    ``households:visit:<id>:points``, so a retry never pays twice. A refusal (no budget, spent) does not undo the
    visit: it is audited, and the same key can be granted later."""
    from gridgov.ledger.services import grant_points

    amount = points_per_visit(visit.household)
    budget_node = paying_node(visit.node)
    if amount <= 0 or budget_node is None:
        return
    try:
        grant_points(actor=SYSTEM, person=visit.visitor, amount=amount, reason=visit_points_reason(visit.household),
                     idempotency_key=visit_points_key(visit), budget_node=budget_node, source=visit)
    except DomainError as error:
        audit_record(actor=SYSTEM, role="system", action="household.visit_points_refused", target=visit.household,
                     node=visit.node, reason=str(error.message)[:200], after={"visit": visit.pk, "points": amount})


def _checklist(checked) -> list[str]:
    codes = sorted({str(code) for code in (checked or ())})
    known = set(ChecklistItem.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
    if unknown := [code for code in codes if code not in known]:
        raise refusal("unknown_item", _("Not on the visit checklist: %(items)s.") % {"items": "、".join(unknown)})
    return codes
