"""Households to and from Excel, like the people import (``orgs.imports``): all-or-nothing, every row error
listed with its row number, and an export that re-imports with no change.

One row is one person's membership of one household. The people must already be in gridgov (the people
import comes first): a row names them by ID number, else by name and mobile phone. A household code already
in the system is that household, and must lie in the same micro-grid (an import never moves a household);
rows only add members or record moves: they never remove anyone. Relations are to the head, so a file cannot
describe a cycle; what it can get wrong is refused: no head or two heads living in a household, a person twice
in the file (an ID number or a name and phone on two rows), or living in another household already.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry, audit_record
from gridgov.errors import refusal
from gridgov.households.models import Household, Membership, Relation
from gridgov.households.services import HOUSEHOLD_KINDS
from gridgov.orgs.excel import Column, ExcelFileError, read_table, table_workbook
from gridgov.orgs.models import Node, Person, id_number_digest
from gridgov.orgs.permissions import SYSTEM, grant_for, role_paths
from gridgov.orgs.tree import under
from gridgov.spreadsheets import workbook_bytes

TITLE = "户籍成员"
COLUMNS = (
    Column("household", "户编号", "household code", True, 18),
    Column("node", "所属微网格编码", "micro-grid code", True, 18),
    Column("house_number", "门牌号", "house number", True, 14),
    Column("address", "地址", "address", False, 32),
    Column("name", "姓名", "name", True, 12),
    Column("phone", "手机", "mobile phone", False, 15),
    Column("id_number", "身份证号", "ID number", False, 22),
    Column("relation", "与户主关系", "relation to the head", True, 12),
    Column("moved_in", "迁入日期", "moved in", True, 12),
    Column("moved_out", "迁出日期", "moved out", False, 12),
)
HEADERS = {column.key: column.header for column in COLUMNS}
# Chinese words for relations are the file format (as orgs' role labels are), so they are data here.
RELATION_WORDS = {
    Relation.HEAD: "户主", Relation.SPOUSE: "配偶", Relation.CHILD: "子女", Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女", Relation.GRANDPARENT: "祖父母", Relation.SIBLING: "兄弟姐妹",
    Relation.CHILD_IN_LAW: "儿媳女婿", Relation.OTHER: "其他",
}
RELATION_ALIASES = {"本人": Relation.HEAD, "妻": Relation.SPOUSE, "夫": Relation.SPOUSE, "妻子": Relation.SPOUSE,
                    "丈夫": Relation.SPOUSE, "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD,
                    "女儿": Relation.CHILD, "父亲": Relation.PARENT, "母亲": Relation.PARENT, "孙子": Relation.GRANDCHILD,
                    "孙女": Relation.GRANDCHILD, "儿媳": Relation.CHILD_IN_LAW, "女婿": Relation.CHILD_IN_LAW}
WORD_RELATIONS = {word: relation for relation, word in RELATION_WORDS.items()} | RELATION_ALIASES


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    households_created: int = 0
    members_added: int = 0
    members_changed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Planned:
    row: int
    household: str
    node: Node
    house_number: str
    address: str
    person: Person
    relation: str
    moved_in: date
    moved_out: date | None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        return None


def import_households(*, actor, file) -> ImportResult:
    """Check every row, then write a clean file in one transaction (nothing when any row is wrong)."""
    result = ImportResult()
    if not role_paths(actor, "household.manage") and actor is not SYSTEM:
        raise refusal("forbidden", _("You may not import households: no role of yours allows it."))
    try:
        rows = read_table(file, columns=COLUMNS, title=TITLE)
    except ExcelFileError as error:
        raise refusal("invalid_import", error.message) from None
    result.rows = len(rows)
    planned = _plan(actor, rows, result.errors)
    if not result.errors:
        _check_households(planned, result.errors)
    if result.errors:
        return result
    with transaction.atomic():
        _write(actor, planned, result)
        audit_record(actor=actor, role="system" if actor is SYSTEM else "", action="household.import",
                     after={"rows": result.rows, "households_created": result.households_created,
                            "members_added": result.members_added, "members_changed": result.members_changed})
    return result


def _plan(actor, rows, errors: list[RowError]) -> list[Planned]:
    nodes = {node.code: node for node in Node.objects.filter(code__in={row["node"] for row in rows})}
    digests = {row.number: id_number_digest(row["id_number"].upper()) for row in rows if row["id_number"]}
    by_digest = {p.id_number_digest: p for p in Person.objects.filter(id_number_digest__in=digests.values())}
    pairs = {(row["name"], row["phone"]) for row in rows if not row["id_number"]}
    by_pair = defaultdict(list)
    for person in Person.objects.filter(name__in={name for name, _phone in pairs},
                                        phone__in={phone for _name, phone in pairs}):
        by_pair[(person.name, person.phone)].append(person)
    seen_people: dict[int, int] = {}
    planned = []
    for row in rows:
        def fail(key, message, row=row):
            errors.append(RowError(row.number, HEADERS.get(key, ""), message))

        for key, message in row.cell_errors:
            fail(key, message)
        for column in COLUMNS:
            if column.required and not row[column.key]:
                fail(column.key, _("This column is required."))
        node = nodes.get(row["node"])
        if row["node"] and node is None or node is not None and grant_for(actor, "household.manage", node) is None:
            fail("node", _("No micro-grid with this code in your area."))
            node = None
        elif node is not None and node.kind not in HOUSEHOLD_KINDS:
            fail("node", _("A household lies in a micro-grid or a building."))
            node = None
        relation = WORD_RELATIONS.get(row["relation"].strip())
        if row["relation"] and relation is None:
            fail("relation", _("Unknown relation; use one of %(words)s.") % {"words": "、".join(RELATION_WORDS.values())})
        moved_in, moved_out = _date(row["moved_in"]), _date(row["moved_out"]) if row["moved_out"] else None
        if row["moved_in"] and moved_in is None:
            fail("moved_in", _("Write the date as YYYY-MM-DD."))
        if row["moved_out"] and moved_out is None:
            fail("moved_out", _("Write the date as YYYY-MM-DD."))
        if moved_in and moved_out and moved_out < moved_in:
            fail("moved_out", _("The moving-out date lies before the moving-in date."))
        if moved_in and (moved_in > date.today() or moved_out and moved_out > date.today()):
            fail("moved_in", _("Moving dates cannot lie in the future."))
        if row["id_number"]:
            person = by_digest.get(digests[row.number])
            missing = _("No person with this ID number in gridgov; import the people first.")
            key = "id_number"
        else:
            found = by_pair.get((row["name"], row["phone"]), [])
            person = found[0] if len(found) == 1 else None
            missing = (_("Several people have this name and phone; give the ID number.") if len(found) > 1 else
                       _("No person with this name and phone in gridgov; import the people first."))
            key = "name"
        if person is None and row["name"]:
            fail(key, missing)
        if person is not None:
            if person.pk in seen_people:
                fail(key, _("This person is already on row %(row)d: a person lives in one household at a time.")
                     % {"row": seen_people[person.pk]})
                person = None
            else:
                seen_people[person.pk] = row.number
        if node and person and relation and moved_in and not errors_on(errors, row.number):
            planned.append(Planned(row.number, row["household"], node, row["house_number"], row["address"], person,
                                   relation, moved_in, moved_out))
    return planned


def errors_on(errors, number: int) -> bool:
    return any(error.row == number for error in errors)


def _check_households(planned: list[Planned], errors: list[RowError]) -> None:
    """Households as a whole: codes that exist stay in their micro-grid, one head living in each, nobody living
    in another household already."""
    codes = {entry.household for entry in planned}
    existing = {household.code: household for household in Household.objects.filter(code__in=codes)}
    open_elsewhere = {m.person_id: m for m in Membership.objects.filter(
        person__in=[entry.person for entry in planned], moved_out__isnull=True).select_related("household")}
    heads = {m.household.code: m.person_id for m in Membership.objects.filter(
        household__code__in=codes, moved_out__isnull=True, relation=Relation.HEAD).select_related("household")}
    file_heads = defaultdict(list)
    for entry in planned:
        household = existing.get(entry.household)
        if household is not None and household.node_id != entry.node.pk:
            errors.append(RowError(entry.row, HEADERS["node"], _("Household %(code)s lies in %(node)s; an import "
                                                                 "never moves a household.")
                                   % {"code": entry.household, "node": household.node.name}))
        current = open_elsewhere.get(entry.person.pk)
        if entry.moved_out is None and current is not None and current.household.code != entry.household:
            errors.append(RowError(entry.row, HEADERS["name"], _("%(name)s lives in household %(code)s; record the "
                                                                 "move out there first.")
                                   % {"name": entry.person.name, "code": current.household.code}))
        if entry.moved_out is None and entry.relation == Relation.HEAD:
            file_heads[entry.household].append(entry)
    for code in codes:
        living = [entry for entry in planned if entry.household == code and entry.moved_out is None]
        heads_now = {entry.person.pk for entry in file_heads[code]}
        kept_head = heads.get(code)
        if kept_head and not any(entry.person.pk == kept_head for entry in planned if entry.household == code):
            heads_now.add(kept_head)
        if len(heads_now) > 1:
            row = file_heads[code][-1].row
            errors.append(RowError(row, HEADERS["relation"], _("Household %(code)s has more than one head living "
                                                               "in it.") % {"code": code}))
        elif living and not heads_now:
            errors.append(RowError(living[0].row, HEADERS["relation"], _("Household %(code)s has no head living "
                                                                         "in it.") % {"code": code}))


def _write(actor, planned: list[Planned], result: ImportResult) -> None:
    codes = {entry.household for entry in planned}
    households = {household.code: household for household in Household.objects.filter(code__in=codes)}
    new = {}
    for entry in planned:
        if entry.household not in households and entry.household not in new:
            new[entry.household] = Household(code=entry.household, node=entry.node, house_number=entry.house_number,
                                             address=entry.address)
    Household.objects.bulk_create(new.values())
    households.update({household.code: household for household in
                       Household.objects.filter(code__in=new.keys())})
    result.households_created = len(new)
    records = [audit_entry(actor=actor, action="household.create", target=households[code]) for code in new]
    known = {(m.household_id, m.person_id, m.moved_in): m for m in Membership.objects.filter(
        household__in=households.values(), person__in=[entry.person for entry in planned])}
    current = {(m.household_id, m.person_id): m for m in known.values() if m.moved_out is None}
    added = []
    for entry in planned:
        household = households[entry.household]
        membership = known.get((household.pk, entry.person.pk, entry.moved_in)) \
            or (current.get((household.pk, entry.person.pk)) if entry.moved_out is None else None)
        if membership is None:
            added.append(Membership(household=household, person=entry.person, relation=entry.relation,
                                    moved_in=entry.moved_in, moved_out=entry.moved_out))
            records.append(audit_entry(actor=actor, action="household.move_in", target=household,
                                       after={"person": entry.person.pk, "relation": entry.relation}))
            continue
        change = {name: value for name, value in (("relation", entry.relation), ("moved_in", entry.moved_in),
                                                  ("moved_out", entry.moved_out))
                  if getattr(membership, name) != value}
        if not change:
            result.unchanged += 1
            continue
        Membership.objects.filter(pk=membership.pk).update(**change)
        result.members_changed += 1
        records.append(audit_entry(actor=actor, action="household.member_change", target=household,
                                   before={"person": entry.person.pk, **{k: getattr(membership, k) for k in change}},
                                   after={"person": entry.person.pk, **change}))
    # Heads are changed last so the one-head constraint sees the final state: insert non-heads first.
    added.sort(key=lambda m: m.relation == Relation.HEAD)
    Membership.objects.bulk_create(added)
    result.members_added = len(added)
    AuditRecord.objects.bulk_create(records, batch_size=1000)


def export_rows(*, actor, node: Node | None = None) -> list[dict]:
    """Every membership of the households in the actor's area (under ``node``), as the import reads them."""
    paths = role_paths(actor, "household.manage")
    memberships = (Membership.objects.filter(under(paths, "household__node__path"))
                   .select_related("household__node", "person").order_by("household__code", "moved_in", "pk"))
    if node is not None:
        memberships = memberships.filter(household__node__path__startswith=node.path)
    return [{
        "household": m.household.code, "node": m.household.node.code, "house_number": m.household.house_number,
        "address": m.household.address, "name": m.person.name, "phone": m.person.phone, "id_number": "",
        "relation": RELATION_WORDS[m.relation], "moved_in": m.moved_in.isoformat(),
        "moved_out": m.moved_out.isoformat() if m.moved_out else "",
    } for m in memberships]


def households_workbook(rows=()) -> bytes:
    workbook, _sheet = table_workbook(columns=COLUMNS, title=TITLE, rows=rows)
    return workbook_bytes(workbook)
