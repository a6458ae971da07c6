"""The cockpit's figures and the map's layers in the JSON API (for wall displays and other dashboards).

Scoped like the pages: a node outside the caller's ``cockpit.view`` area answers 404 ``not_found``, exactly like
an unknown code.
"""

from datetime import date

from ninja import Field, Router, Schema

from gridgov.api_schemas import errors
from gridgov.cockpit import selectors
from gridgov.orgs.imports import scope_roots_for
from gridgov.orgs.selectors import node_in_area

router = Router(tags=["cockpit"])


class CockpitNodeOut(Schema):
    code: str
    name: str
    kind: str


class CockpitFigureOut(Schema):
    key: str = Field(examples=["to_evaluate"])
    label: str = Field(examples=["待考评"])
    value: int
    url: str = Field(description="The page that lists what the figure counts (a path of this site; empty where "
                     "the caller's roles do not open that list).")


class CockpitWeekOut(Schema):
    week: date = Field(description="The week's Monday (local date).")
    filed: int = Field(description="Reports filed that week.")
    closure: int | None = Field(description="Percent of them resolved since (null: none filed).")
    on_time: int | None = Field(description="Percent of them resolved by their deadline (null: none filed).")
    points: int = Field(description="Points granted that week to people of the area.")


class CockpitCategoryOut(Schema):
    name: str
    filed: int
    closure: int | None
    on_time: int | None


class CockpitBudgetOut(Schema):
    node: CockpitNodeOut
    period: str
    amount: int
    left: int

    @staticmethod
    def resolve_left(budget):
        return budget.account.balance


class CockpitColourCountOut(Schema):
    colour: str = Field(examples=["red"])
    label: str
    now: int
    before: int
    change: int


class CockpitSchemeColoursOut(Schema):
    code: str
    name: str
    period: str
    previous_period: str | None
    up: int = Field(description="Organisations whose colour improved since the previous month.")
    down: int = Field(description="Organisations whose colour worsened.")
    counts: list[CockpitColourCountOut]


class CockpitAreaOut(Schema):
    code: str
    name: str
    kind: str
    tasks_open: int
    claims_overdue: int
    to_evaluate: int
    to_audit: int
    reports_open: int
    reports_overdue: int
    points: int = Field(description="Points earned this month by people whose home is here.")
    earners: int = Field(description="People who earned points this month.")
    colours: dict[str, str] = Field(description="Scheme code → this month's colour code.")


class CockpitRankedOut(Schema):
    name: str
    points: int


class CockpitOut(Schema):
    node: CockpitNodeOut
    period: str
    work: list[CockpitFigureOut]
    alerts: list[CockpitFigureOut]
    weeks: list[CockpitWeekOut]
    categories: list[CockpitCategoryOut]
    budgets: list[CockpitBudgetOut]
    colours: list[CockpitSchemeColoursOut]
    areas: list[CockpitAreaOut]
    top_grids: list[CockpitRankedOut]
    bottom_grids: list[CockpitRankedOut]
    top_workers: list[CockpitRankedOut]
    bottom_workers: list[CockpitRankedOut]


class CockpitMarkerOut(Schema):
    id: int
    lat: float
    lon: float
    category: str
    state: str
    overdue: bool


class CockpitClaimMarkerOut(Schema):
    id: int = Field(description="The claim (its page: /tasks/claims/{id}/).")
    lat: float
    lon: float
    title: str = Field(description="The task's title.")
    state: str = Field(examples=["submitted"])
    state_label: str = Field(examples=["待考评"])
    overdue: bool = Field(description="Its next move (evaluation, audit, evidence) is overdue.")


class CockpitSchemeOut(Schema):
    code: str
    name: str
    period: str


class MapLayersOut(Schema):
    node: CockpitNodeOut
    schemes: list[CockpitSchemeOut]
    areas: list[CockpitAreaOut]
    reports: list[CockpitMarkerOut] = Field(description=f"Open reports with a location, most urgent first (at most "
                                     f"{selectors.MARKERS}).")
    claims: list[CockpitClaimMarkerOut] = Field(description="Claimed work whose evidence carries a location (not "
                                                f"given up or expired), the latest first (at most {selectors.MARKERS}).")


def _area(area: selectors.Area) -> dict:
    return {"code": area.node.code, "name": area.node.name, "kind": area.node.kind, **area.figures,
            "colours": area.colours}


@router.get("/cockpit/{code}", response={200: CockpitOut, **errors(404)},
            summary="The cockpit of an area (驾驶舱)",
            description="Work waiting and overdue, open alerts by level, reports and points per week for the last "
            f"{selectors.WEEKS} weeks, reports by category, budgets, index colours this month against the month "
            "before, each child area's figures, and the top and bottom grids and workers. Needs `cockpit.view`.")
def cockpit(request, code: str):
    node = node_in_area(request.person, code, "cockpit.view")
    board = selectors.cockpit(node, viewer_roots=scope_roots_for(request.person, "cockpit.view"))
    links = selectors.links_for(request.person)
    return {
        "node": node, "period": board.period, "work": selectors.shown(board.work, links),
        "alerts": selectors.shown(board.alerts, links), "weeks": board.weeks,
        "categories": board.categories, "budgets": board.budgets, "colours": board.colours,
        "areas": [_area(area) for area in board.areas], "top_grids": board.top_grids,
        "bottom_grids": board.bottom_grids, "top_workers": board.top_workers, "bottom_workers": board.bottom_workers,
    }


@router.get("/cockpit/{code}/layers", response={200: MapLayersOut, **errors(404)},
            summary="What the map colours an area's children by (一张图图层)",
            description="Per child of the node: work, reports, points and index colours, and the open reports "
            "with a location and the work whose evidence carries one as markers. Boundaries come from "
            "`GET /geo/{code}`. Needs `cockpit.view`.")
def cockpit_map_layers(request, code: str):
    node = node_in_area(request.person, code, "cockpit.view")
    return selectors.map_layers(node)
