"""The cockpit counts what is really there, per area, each figure a link; a cadre sees only their own area; the
queries do not grow with the number of grids."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridgov.cockpit import selectors
from gridgov.geo.tests.conftest import drawn  # noqa: F401  (fixture)
from gridgov.ledger import journal
from gridgov.ledger.services import budget_set, grant_points
from gridgov.orgs import services as orgs_services
from gridgov.orgs.models import NodeKind
from gridgov.orgs.permissions import SYSTEM
from gridgov.reports import services as report_services
from gridgov.reports.models import Category
from gridgov.tasks import services as task_services
from gridgov.tasks.models import ClaimState, WorkType

API = "/api/v1"


def bearer(person) -> dict:
    _token, secret = orgs_services.api_token_create(actor=person, label="test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def busy(street):
    """A task open in grid A with one claim waiting for evaluation, two reports (one overdue, in grid A; one in
    白岩村's grid C), and 30 points granted to 刘网格 this month."""
    now = timezone.now()
    task = task_services.task_publish(actor=street.community_cadre, node=street.grid_a, title="消防巡查",
                                      work_type=WorkType.objects.first(), points=10, places=3, requires_photo=False,
                                      deadline=now + timedelta(days=2))
    claim = task_services.task_claim(actor=street.worker_a, task=task)
    task_services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
    category = Category.objects.get(code="environment")
    report_services.report_file(actor=street.resident, node=street.micro_a1, category=category, text="垃圾",
                                now=now - timedelta(days=3))
    villager = orgs_services.person_create(actor=SYSTEM, name="钱村民", node=street.grid_c, role="resident")
    report_services.report_file(actor=villager, node=street.grid_c, category=category, text="路灯坏了", now=now)
    budget_set(actor=SYSTEM, node=street.community, amount=1000, period=journal.current_period())
    grant_points(actor=street.community_cadre, person=street.worker_a, amount=30, reason="志愿服务",
                 idempotency_key="cockpit-test-1", budget_node=street.community)
    return street


def _figure(board, key):
    return next(figure.value for figure in [*board.work, *board.alerts] if figure.key == key)


def test_street_cockpit_counts_work_reports_and_points_per_area(busy):
    board = selectors.cockpit(busy.street, viewer_roots=[busy.street])
    assert _figure(board, "tasks_open") == 1 and _figure(board, "to_evaluate") == 1
    assert _figure(board, "reports_open") == 2 and _figure(board, "reports_overdue") == 1
    areas = {area.node.code: area.figures for area in board.areas}
    assert set(areas) == {"C01", "V01"}
    assert areas["C01"]["to_evaluate"] == 1 and areas["C01"]["reports_overdue"] == 1
    assert areas["C01"]["points"] == 30 and areas["C01"]["earners"] == 1
    assert areas["V01"]["reports_open"] == 1 and areas["V01"]["points"] == 0
    assert sum(week["filed"] for week in board.weeks) == 2 and board.weeks[-1]["points"] == 30
    assert [row.name for row in board.top_workers] == ["刘网格"]
    assert board.top_grids == [{"name": "东门第一网格", "points": 30}]
    assert [budget.node.code for budget in board.budgets] == ["C01"]


def test_community_cockpit_splits_by_grid_and_stops_at_the_community(busy):
    board = selectors.cockpit(busy.community, viewer_roots=[busy.community])
    assert [area.node.code for area in board.areas] == ["G01", "G02"]
    assert _figure(board, "reports_open") == 1  # 白岩村's report is not the community's
    assert board.trail == []  # nothing above the viewer's own area


def test_cockpit_queries_do_not_grow_with_the_number_of_grids(busy):
    with CaptureQueriesContext(connection) as few:
        selectors.cockpit(busy.street, viewer_roots=[busy.street])
    for number in range(30):
        grid = orgs_services.node_create(actor=SYSTEM, parent=busy.village, kind=NodeKind.GRID,
                                         name=f"白岩加网格{number}", code=f"GX{number:02}")
        orgs_services.person_create(actor=SYSTEM, name=f"加员{number}", node=grid, role="grid_worker")
    with CaptureQueriesContext(connection) as many:
        selectors.cockpit(busy.street, viewer_roots=[busy.street])
    assert len(many) == len(few)


def test_cockpit_page_shows_figures_linked_to_their_lists(busy, client):
    client.force_login(busy.street_cadre.user)
    body = client.get("/cockpit/").content.decode()
    assert "浮云街道" in body and "?node=C01" in body and "白岩村" in body
    assert client.get("/cockpit/?node=C01").status_code == 200
    assert client.get("/cockpit/screen/?node=C01").status_code == 200
    client.force_login(busy.community_cadre.user)
    assert f'href="{reverse("tasks:evaluation_queue")}"' in client.get("/cockpit/").content.decode()


def test_a_grid_leader_gets_no_links_to_lists_their_role_cannot_open(busy, client):
    leader = orgs_services.person_create(actor=SYSTEM, name="蔡网格长", node=busy.grid_a, role="grid_leader",
                                         username="leader")
    client.force_login(leader.user)
    body = client.get("/cockpit/").content.decode()
    assert "东门第一网格" in body
    for name in ("ledger:budgets", "tasks:evaluation_queue", "tasks:audit_queue"):
        assert f'href="{reverse(name)}"' not in body, name


def test_a_community_cadre_cannot_open_another_area(busy, client):
    client.force_login(busy.community_cadre.user)
    assert client.get("/cockpit/").status_code == 200
    for path in ("/cockpit/?node=V01", "/cockpit/?node=S01", "/map/?node=V01", "/map/data/?node=V01",
                 "/cockpit/?node=NOPE", "/cockpit/?node=" + "x" * 500):
        assert client.get(path).status_code == 404, path
    assert client.get("/map/data/?node=G01").status_code == 200


def test_people_without_a_cockpit_role_are_refused_with_a_message(busy, client):
    client.force_login(busy.worker_a.user)
    response = client.get("/cockpit/")
    assert response.status_code == 403 and "驾驶舱" in response.content.decode()


def test_map_data_has_boundaries_two_levels_down_and_layers_per_child(drawn, busy, client):  # noqa: F811
    client.force_login(busy.street_cadre.user)
    data = client.get("/map/data/").json()
    levels = {feature["properties"]["code"]: feature["properties"]["level"] for feature in data["boundaries"]["features"]}
    assert levels == {"S01": 0, "C01": 1, "V01": 1, "G01": 2, "G02": 2, "G03": 2}
    layers = {area["code"]: area for area in data["layers"]["areas"]}
    assert layers["C01"]["reports_overdue"] == 1 and layers["V01"]["reports_open"] == 1


def test_cockpit_api_is_scoped_and_documented(busy, client):
    response = client.get(f"{API}/cockpit/S01", headers=bearer(busy.street_cadre))
    assert response.status_code == 200
    body = response.json()
    assert {figure["key"]: figure["value"] for figure in body["work"]}["to_evaluate"] == 1
    assert [area["code"] for area in body["areas"]] == ["C01", "V01"]
    assert client.get(f"{API}/cockpit/V01", headers=bearer(busy.community_cadre)).json()["code"] == "not_found"
    assert client.get(f"{API}/cockpit/C01/layers", headers=bearer(busy.community_cadre)).status_code == 200
    assert client.get(f"{API}/cockpit/C01", headers=bearer(busy.worker_a)).status_code == 404
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "/api/v1/cockpit/{code}" in paths and "/api/v1/cockpit/{code}/layers" in paths


def test_map_places_work_with_a_location_next_to_the_reports(busy, client):
    task = task_services.task_publish(actor=busy.community_cadre, node=busy.grid_a, title="河道巡查",
                                      work_type=WorkType.objects.first(), points=5, places=2, requires_photo=False,
                                      deadline=timezone.now() + timedelta(days=2))
    claim = task_services.task_claim(actor=busy.worker_a, task=task)
    task_services.claim_submit(actor=busy.worker_a, claim=claim, text="巡查完毕", latitude="28.05",
                               longitude="119.52")
    claims = selectors.map_layers(busy.street)["claims"]
    assert [(marker["id"], marker["title"], marker["lat"], marker["lon"]) for marker in claims] == [
        (claim.pk, "河道巡查", 28.05, 119.52)]  # the fixture's claim has no location: not on the map
    assert claims[0]["state"] == ClaimState.SUBMITTED and claims[0]["state_label"] == str(ClaimState.SUBMITTED.label)
    assert selectors.map_layers(busy.village)["claims"] == []  # another area's work stays out
    client.force_login(busy.street_cadre.user)
    layers = client.get(f"{API}/cockpit/S01/layers", headers=bearer(busy.street_cadre)).json()
    assert [marker["id"] for marker in layers["claims"]] == [claim.pk]


def test_map_layers_queries_do_not_grow_with_the_number_of_grids(busy):
    with CaptureQueriesContext(connection) as few:
        selectors.map_layers(busy.street)
    for number in range(30):
        grid = orgs_services.node_create(actor=SYSTEM, parent=busy.village, kind=NodeKind.GRID,
                                         name=f"白岩加网格{number}", code=f"GY{number:02}")
        worker = orgs_services.person_create(actor=SYSTEM, name=f"加员{number}", node=grid, role="grid_worker")
        report_services.report_file(actor=worker, node=grid, category=Category.objects.get(code="environment"),
                                    text="路面破损", latitude="28.1", longitude="119.65")
    with CaptureQueriesContext(connection) as many:
        layers = selectors.map_layers(busy.street)
    assert len(layers["reports"]) == 30
    assert len(many) == len(few)


def _reports_by_week(node, weeks) -> list[dict]:
    """The weekly chart's report figures counted again from the reports of ``node``'s subtree, week range by week
    range (how the cockpit counted them before the weekly totals)."""
    from django.db.models import F

    from gridgov.reports.models import Report

    rows = []
    for start, end in weeks:
        filed = Report.objects.filter(node__path__startswith=node.path, created_at__gte=start, created_at__lt=end)
        count = filed.count()
        resolved = filed.filter(resolved_at__isnull=False).count()
        on_time = filed.filter(resolved_at__lte=F("resolution_due_at")).count()
        rows.append({"filed": count, "closure": selectors._percent(resolved, count),
                     "on_time": selectors._percent(on_time, count)})
    return rows


def _reports_by_category(node, since) -> list[dict]:
    """The table of categories counted again from the reports of ``node``'s subtree filed from ``since`` on."""
    from django.db.models import Count, F, Q

    from gridgov.reports.models import Report

    rows = (Report.objects.filter(node__path__startswith=node.path, created_at__gte=since)
            .values("category__name").order_by()
            .annotate(filed=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
                      on_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at")))))
    return [{"name": row["category__name"], "filed": row["filed"],
             "closure": selectors._percent(row["resolved"], row["filed"]),
             "on_time": selectors._percent(row["on_time"], row["filed"])}
            for row in sorted(rows, key=lambda row: (-row["filed"], row["category__name"]))]


@pytest.mark.django_db
def test_the_demo_streets_weekly_chart_is_the_reports_and_grant_lines_in_a_fixed_number_of_queries():
    """The chart reads the weekly totals the apps keep (``reports.ReportWeek``, ``ledger.GrantedWeek``): the same
    reports filed, resolved and resolved in time, and the same points, as counting the area's reports and summing
    its people's lines week by week, for the street, each community and a grid, in the same two queries for each;
    the table of categories is the same as counting the reports of the eight weeks."""
    from django.db import transaction

    from gridgov import demo
    from gridgov.ledger import selectors as ledger_selectors
    from gridgov.orgs.models import Node

    with transaction.atomic():
        demo.seed_demo()
    street = Node.objects.get(kind=NodeKind.STREET)
    areas = [street, *selectors.children_of(street), Node.objects.filter(kind=NodeKind.GRID).order_by("path").first()]
    now = timezone.now()
    starts = selectors.week_starts(now)
    midnight = lambda day: timezone.make_aware(datetime.combine(day, time()))  # noqa: E731
    moments = [midnight(start) for start in starts]
    weeks = list(zip(moments, [*moments[1:], midnight(starts[-1] + timedelta(days=7))]))
    counts = set()
    for node in areas:
        from_lines = ledger_selectors._granted_by_week_from_lines(node=node, weeks=weeks)
        from_reports = _reports_by_week(node, weeks)
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.weekly(node, now=now)
        counts.add(len(queries))
        assert [row["points"] for row in rows] == [from_lines[moment] for moment in moments]
        assert [{name: row[name] for name in ("filed", "closure", "on_time")} for row in rows] == from_reports
        assert selectors.by_category(node, now=now) == _reports_by_category(node, moments[0])
    shown = selectors.weekly(street, now=now)
    assert sum(row["points"] for row in shown) > 0
    assert sum(row["filed"] for row in shown) > 0 and any(row["on_time"] for row in shown)
    assert counts == {2}
    with CaptureQueriesContext(connection) as granted:
        ledger_selectors.granted_by_week(node=street, mondays=starts)
    assert len(granted) == 1
