"""API for households: the area's list, one household (members and resident file masked as on the pages), moving
in and out, the resident file (an audited reading per sensitive field), care tags, links, visits, a member's
households and a node's coverage. The same services as the pages; refusals as 4xx ``{"code", "message"}``.
Schema names start with ``Household``."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gridgov.api_schemas import Day, Id, Limit, Line, Offset, Page, Paragraphs, errors, max_length_of, page
from gridgov.errors import NotFound, refusal
from gridgov.households import credit, downloads, ranking, selectors, services, villages
from gridgov.households.models import BranchRecordKind, FileField, Household, LinkKind, Relation
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import can, role_paths
from gridgov.reports.models import Category

router = Router(tags=["households"])

NodeCode = Annotated[str, Field(max_length=max_length_of(Node, "code"))]
# The node-code filter of the households' lists and boards (``selectors.area_node``): one type, so every
# endpoint bounds and describes it alike.
NodeQuery = Annotated[str, Query("", max_length=max_length_of(Node, "code"),
                                 description="The code of a node inside the caller's area; empty: the top of "
                                             "that area")]
MonthQuery = Annotated[str, Query("", max_length=7, description="A month written 2026-12; empty: this month")]
FieldCode = Annotated[str, Field(max_length=max_length_of(FileField, "code"))]


class HouseholdOut(Schema):
    id: int
    code: str
    node: str = Field(description="The code of the micro-grid or building")
    house_number: str
    address: str

    @staticmethod
    def resolve_node(household):
        return household["node"] if isinstance(household, dict) else household.node.code


class HouseholdMemberOut(Schema):
    person_id: int
    name: str = Field(description="Masked (张*) unless the caller may see people's private details")
    relation: Relation
    moved_in: date
    tags: list[str]


class HouseholdFileOut(Schema):
    code: str
    label: str
    section: str
    sensitivity: str
    value: str = Field(description="The value, or ＊＊＊ when masked (read a sensitive one with GET …/file/{code})")
    masked: bool


class HouseholdDetailOut(HouseholdOut):
    members: list[HouseholdMemberOut]
    file: list[HouseholdFileOut]


class HouseholdIn(Schema):
    node: NodeCode = Field(description="The code of the micro-grid or building")
    code: Line = Field(max_length=max_length_of(Household, "code"))
    house_number: Line = Field(max_length=max_length_of(Household, "house_number"))
    address: Line = Field("", max_length=max_length_of(Household, "address"))


class HouseholdMoveInIn(Schema):
    person_id: Id
    relation: Relation
    moved_in: Day


class HouseholdMoveOutIn(Schema):
    moved_out: Day


class HouseholdValueIn(Schema):
    value: Paragraphs = Field(max_length=services.MAX_VALUE)


class HouseholdValueOut(Schema):
    code: str
    value: str


class HouseholdTagIn(Schema):
    person_id: Id
    tag: Annotated[str, Field(max_length=20)]
    on: bool = True


class HouseholdLinkIn(Schema):
    member_id: Id
    kind: LinkKind


class HouseholdLinkOut(Schema):
    id: int
    household_id: int
    member_id: int
    kind: LinkKind
    visit_due_at: datetime | None
    ended_at: datetime | None


class HouseholdLinkedOut(HouseholdLinkOut):
    last_visit: datetime | None
    visited_this_month: bool
    overdue: bool


class HouseholdVisitIn(Schema):
    checked: list[Annotated[str, Field(max_length=32)]] = Field([], max_length=50)
    note: Paragraphs = Field("", max_length=services.MAX_NOTE)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=10, decimal_places=6)
    report_category: Annotated[str, Field(max_length=32)] = Field("", description="File what was found as a report "
                                                                              "of this category")


class HouseholdVisitOut(Schema):
    id: int
    household_id: int
    visited_at: datetime
    checked: list[str]
    note: str
    report_id: int | None


class HouseholdCoverageOut(Schema):
    node: str
    households: int
    linked: int
    unlinked: int
    members_under_quota: int


def _household(request, household_id: int) -> Household:
    return selectors.household_for(actor=request.person, pk=household_id)


def _detail(request, household: Household) -> dict:
    person = request.person
    resident = not can(person, "household.view", household)
    private = can(person, "person.view_private", household)
    members = [{"person_id": m.person_id, "relation": m.relation, "moved_in": m.moved_in, "tags": m.tags,
                "name": m.person.name if private or m.person_id == person.pk else m.person.name_masked}
               for m in selectors.current_members(household)]
    file = [{"code": row.field.code, "label": row.field.label, "section": row.field.section,
             "sensitivity": row.field.sensitivity, "value": row.shown, "masked": row.shown == selectors.MASK}
            for row in selectors.file_rows(actor=person, household=household, resident=resident)]
    return {"id": household.pk, "code": household.code, "node": household.node.code, "house_number": household.house_number,
            "address": household.address, "members": members, "file": file}


def _person(person_id: int) -> Person:
    found = Person.objects.filter(pk=person_id, is_active=True).first()
    if found is None:
        raise NotFound(_("No such person."))
    return found


@router.get("/households", response=Page[HouseholdOut], summary="Households in my area")
def household_list(request, q: Annotated[str, Query("", max_length=50)] = "", limit: Limit = 100,
                   offset: Offset = 0):
    return page(selectors.households_in_area(request.person, query=q.strip()), limit=limit, offset=offset)


@router.post("/households", response={201: HouseholdOut, **errors(400, 403, 404, 409)}, summary="Create a household")
def household_create(request, payload: HouseholdIn):
    node = Node.objects.filter(code=payload.node).first()
    if node is None or not any(node.path.startswith(path) for path in role_paths(request.person)):
        raise NotFound(_("No node with this code in your area."))
    household = services.household_create(actor=request.person, node=node, code=payload.code,
                                          house_number=payload.house_number, address=payload.address)
    return Status(201, household)


@router.get("/households/mine", response={200: HouseholdDetailOut, **errors(404)},
            summary="The household I live in")
def mine(request):
    household = selectors.household_of(request.person)
    if household is None:
        raise NotFound(_("You are not recorded in a household."))
    return _detail(request, household)


@router.get("/households/linked", response=Page[HouseholdLinkedOut], summary="Households I serve, with what is due")
def linked(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.linked_households(request.person), limit=limit, offset=offset)


@router.get("/households/coverage", response={200: HouseholdCoverageOut, **errors(403, 404)},
            summary="How many households have a member serving them, and members under quota")
def coverage(request, node: NodeQuery = ""):
    found = selectors.area_node(request.person, "household.link", node)
    report = selectors.coverage(node=found, sample=0)
    return {"node": found.code, "households": report.households, "linked": report.linked,
            "unlinked": report.unlinked, "members_under_quota": report.members_under_quota}


@router.get("/households/{int:household_id}", response={200: HouseholdDetailOut, **errors(404)},
            summary="One household: members and the resident file, masked as the caller may see them")
def detail(request, household_id: Id):
    return _detail(request, _household(request, household_id))


@router.post("/households/{int:household_id}/members", response={201: HouseholdDetailOut, **errors(400, 403, 404, 409)},
             summary="Someone moves in (a person lives in one household at a time)")
def move_in(request, household_id: Id, payload: HouseholdMoveInIn):
    household = _household(request, household_id)
    services.member_move_in(actor=request.person, household=household, person=_person(payload.person_id),
                            relation=payload.relation, moved_in=payload.moved_in)
    return Status(201, _detail(request, household))


@router.post("/households/{int:household_id}/members/{int:person_id}/move-out",
             response={200: HouseholdDetailOut, **errors(400, 403, 404)}, summary="A member moves out")
def move_out(request, household_id: Id, person_id: Id, payload: HouseholdMoveOutIn):
    household = _household(request, household_id)
    services.member_move_out(actor=request.person, household=household, person=_person(person_id),
                             moved_out=payload.moved_out)
    return _detail(request, household)


def _field(code: str) -> FileField:
    field = FileField.objects.filter(code=code, is_active=True).first()
    if field is None:
        raise refusal("unknown_field", _("No such field in the resident file."))
    return field


@router.get("/households/{int:household_id}/file/{code}", response={200: HouseholdValueOut, **errors(400, 403, 404)},
            summary="Read one field of the resident file (every reading of a sensitive field is audited)")
def file_read(request, household_id: Id, code: FieldCode):
    field = _field(code)
    value = services.file_read(actor=request.person, household=_household(request, household_id), field=field)
    return {"code": field.code, "value": value}


@router.put("/households/{int:household_id}/file/{code}", response={200: HouseholdValueOut, **errors(400, 403, 404)},
            summary="Set one field of the resident file (an empty value clears it)")
def file_write(request, household_id: Id, code: FieldCode, payload: HouseholdValueIn):
    field = _field(code)
    entry = services.file_write(actor=request.person, household=_household(request, household_id), field=field,
                                value=payload.value)
    return {"code": field.code, "value": entry.value if entry else ""}


@router.post("/households/{int:household_id}/tags", response={200: HouseholdDetailOut, **errors(400, 403, 404)},
             summary="Add or remove a care tag of a member")
def tag(request, household_id: Id, payload: HouseholdTagIn):
    household = _household(request, household_id)
    services.tag_set(actor=request.person, person=selectors.member_of(household, payload.person_id), tag=payload.tag,
                     on=payload.on)
    return _detail(request, household)


@router.post("/households/{int:household_id}/links", response={201: HouseholdLinkOut, **errors(400, 403, 404, 409)},
             summary="Link a member to serve the household")
def link_create(request, household_id: Id, payload: HouseholdLinkIn):
    link = services.link_create(actor=request.person, household=_household(request, household_id),
                                member=_person(payload.member_id), kind=payload.kind)
    return Status(201, link)


@router.post("/households/links/{int:link_id}/end", response={200: HouseholdLinkOut, **errors(403, 404, 409)},
             summary="End a link")
def link_end(request, link_id: Id):
    return services.link_end(actor=request.person, link=selectors.link_for(actor=request.person, pk=link_id))


@router.post("/households/{int:household_id}/visits", response={201: HouseholdVisitOut, **errors(400, 403, 404)},
             summary="Record a visit (Idempotency-Key recommended); what was found may become a report at once")
def visit(request, household_id: Id, payload: HouseholdVisitIn):
    household = _household(request, household_id)
    category = None
    if payload.report_category:
        category = Category.objects.filter(code=payload.report_category, is_active=True).first()
        if category is None:
            raise refusal("invalid", _("No such report category."))
    recorded = services.visit_record(
        actor=request.person, household=household, checked=payload.checked, note=payload.note,
        latitude=payload.latitude, longitude=payload.longitude, report_category=category,
        idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, recorded)



class HouseholdRankedOut(Schema):
    rank: int
    household_id: int
    house_number: str
    total: int
    points: int


class HouseholdBoardLineOut(Schema):
    rank: int
    household: str = Field(description="Named as the village board sets (full, masked or house number only)")
    total: int


class HouseholdBoardOut(Schema):
    node: str
    month: date
    red: list[HouseholdBoardLineOut]
    black: list[HouseholdBoardLineOut]


class HouseholdBranchRecordIn(Schema):
    village: NodeCode
    kind: BranchRecordKind
    activity: Annotated[str, Field(max_length=50)] = Field("", description="For 三会一课: which meeting")
    held_on: Day
    attendees: int = Field(ge=1, le=10000)
    minutes: Paragraphs = Field(max_length=villages.MAX_MINUTES)


class HouseholdBranchRecordOut(Schema):
    id: int
    village: str
    kind: BranchRecordKind
    activity: str
    held_on: date
    attendees: int
    on_time: bool
    activity_id: int | None

    @staticmethod
    def resolve_village(record):
        return record.node.code


class HouseholdBulletinEntryOut(Schema):
    village: str
    rank: int
    on_time: int
    late: int
    use: int
    score: int
    standing: str

    @staticmethod
    def resolve_village(entry):
        return entry.node.code


class HouseholdBulletinOut(Schema):
    street: str
    week: date
    entries: list[HouseholdBulletinEntryOut]


@router.get("/households/ranking", response={200: Page[HouseholdRankedOut], **errors(400, 403, 404)},
            summary="The monthly household ranking of a node in my area")
def household_ranking(request, node: NodeQuery = "",
                      month: MonthQuery = "", limit: Limit = 100, offset: Offset = 0):
    found = selectors.area_node(request.person, "household.view", node)
    return page(ranking.RankingPage(node=found, month=downloads.month_of_text(month)), limit=limit, offset=offset)


@router.get("/households/board/{code}", response={200: HouseholdBoardOut, **errors(400, 404)},
            summary="A village board's red and black lists of households (public on the page too)")
def household_board(request, code: NodeCode, month: MonthQuery = ""):
    found = Node.objects.filter(code=code, kind__in=villages.VILLAGE_KINDS).first()
    if found is None:
        raise NotFound(_("No village with this code."))
    chosen = downloads.month_of_text(month)
    red, black = ranking.red_and_black(node=found, month=chosen)
    display = ranking.board_of(found).name_display
    return {"node": found.code, "month": chosen,
            "red": [{"rank": row.rank, "household": row.shown(display), "total": row.total} for row in red],
            "black": [{"rank": row.rank, "household": row.shown(display), "total": row.total} for row in black]}


@router.post("/households/branch-records", response={201: HouseholdBranchRecordOut, **errors(400, 403, 404)},
             summary="A branch uploads a 三会一课 / 主题党日 / 三务公开 record (Idempotency-Key recommended)")
def branch_record(request, payload: HouseholdBranchRecordIn):
    village = selectors.area_node(request.person, "household.branch_record", payload.village)
    record = villages.record_upload(actor=request.person, node=village, kind=payload.kind,
                                    activity=payload.activity, held_on=payload.held_on, attendees=payload.attendees,
                                    minutes=payload.minutes, idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, record)


@router.get("/households/bulletin", response={200: HouseholdBulletinOut, **errors(403, 404)},
            summary="The newest weekly village bulletin (红榜村 / 黑榜村) of my area")
def bulletin(request, node: NodeQuery = ""):
    found = villages.bulletin_for(selectors.area_node(request.person, "household.bulletin", node))
    if found is None:
        raise NotFound(_("No bulletin has been computed yet."))
    return {"street": found.node.code, "week": found.week, "entries": list(found.entries.select_related("node"))}


class HouseholdCreditConsentIn(Schema):
    partner: Annotated[str, Field(max_length=credit.MAX_PARTNER)] = Field(description="The bank or partner's name")
    given_on: Day


class HouseholdCreditConsentOut(Schema):
    id: int
    household: str
    partner: str
    given_on: date
    revoked: bool

    @staticmethod
    def resolve_household(consent):
        return consent.household.code

    @staticmethod
    def resolve_revoked(consent):
        return consent.revoked_at is not None


@router.post("/households/{household_id}/credit-consents",
             response={201: HouseholdCreditConsentOut, **errors(400, 403, 404)},
             summary="Record a household's consent to the 积分授信 export for a partner (a repeat returns the open one)")
def credit_consent(request, household_id: Id, payload: HouseholdCreditConsentIn):
    household = selectors.household_for(actor=request.person, pk=household_id)
    consent = credit.consent_record(actor=request.person, household=household, partner=payload.partner,
                                    given_on=payload.given_on)
    return Status(201, consent)


@router.post("/households/credit-consents/{consent_id}/revoke",
             response={200: HouseholdCreditConsentOut, **errors(403, 404)},
             summary="Revoke a credit consent: the household leaves every later export")
def credit_revoke(request, consent_id: Id):
    return credit.consent_revoke(actor=request.person, consent=credit.consent_for(actor=request.person, pk=consent_id))


@router.get("/households/credit-export", response={200: dict, **errors(400, 403, 404)},
            summary="The signed 积分授信 export of my area's consenting households (.json, or .xlsx with form=xlsx)")
def credit_export(request, partner: Annotated[str, Query(..., max_length=credit.MAX_PARTNER)],
                  node: NodeQuery = "",
                  month: MonthQuery = "",
                  form: Annotated[str, Query("json", max_length=4)] = "json"):
    found = selectors.area_node(request.person, "household.credit_export", node)
    export = credit.credit_export(actor=request.person, node=found, partner=partner, month=downloads.month_of_text(month), form=form)
    if form == "xlsx":
        return downloads.credit_response(export, "xlsx")
    return downloads.credit_response(export, "json")
