from datetime import timedelta

from django.utils import timezone

from gridgov.deadlines import scan as deadlines
from gridgov.reports import services
from gridgov.reports.models import Category


def report(street, **extra):
    return services.report_file(actor=street.resident, node=street.micro_a1,
                                category=Category.objects.get(code="environment"), text="垃圾", **extra)


def test_supervisor_dashboard_shows_levels_overdue_alerts_and_rules(street, client):
    late = report(street, now=timezone.now() - timedelta(days=3))
    deadlines.scan_deadlines(now=timezone.now())
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"#{late.pk}" in body and "刘网格" in body
    assert body.count('class="card"') >= 5  # one card per anomaly rule


def test_worker_cannot_open_the_supervision_pages(street, client):
    client.force_login(street.worker_a.user)
    assert client.get("/oversight/").status_code == 404
    assert client.get("/oversight/audit/").status_code == 404


def shown_actions(page) -> set[str]:
    return {record.action for record in page.context["page"]}


def test_audit_search_by_action_and_person_and_period(street, client):
    report(street)
    client.force_login(street.supervisor.user)
    today = timezone.localdate().isoformat()
    page = client.get("/oversight/audit/", {"action": "report.", "person": "周居民", "since": today, "until": today})
    assert page.status_code == 200 and shown_actions(page) == {"report.file"}
    empty = client.get("/oversight/audit/", {"action": "report.", "person": "不存在的人"})
    assert shown_actions(empty) == set()


def test_audit_trail_shows_actions_and_roles_by_name_not_code(street, client):
    report(street)
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/audit/", {"action": "report.file"}, HTTP_ACCEPT_LANGUAGE="en")
    table = page.content.decode().split('id="audit-records"')[1]
    assert "Report filed" in table and "Resident" in table
    assert ">report.file<" not in table and ">resident<" not in table


def test_audit_search_refuses_an_unknown_action_with_a_message(street, client):
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/audit/", {"action": "<script>"})
    assert page.status_code == 200 and page.context["form"].errors["action"]


def test_audit_search_with_bad_dates_and_unknown_node_is_refused_politely(street, client):
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/audit/", {"since": "2025-02-01", "until": "2025-01-01", "place": "nope"})
    assert page.status_code == 200
    page = client.get("/oversight/audit/", {"since": "not-a-date", "place": "G03"})
    assert page.status_code == 200


def test_audit_search_does_not_reach_outside_the_supervisors_area(street, client):
    from gridgov.orgs.models import NodeKind, Role
    from gridgov.testing.factories import node, person

    other = node(street.district, NodeKind.STREET, "别的街道")
    watcher = person("别的监察", node=other, role=Role.SUPERVISOR, username="other_supervisor")
    report(street)
    client.force_login(watcher.user)
    page = client.get("/oversight/audit/", {"action": "report."})
    assert shown_actions(page) == set()


def test_the_dashboard_shows_the_first_overdue_reports_and_alerts_and_links_to_every_one(street, client):
    from gridgov.oversight.views import DASHBOARD_ROWS

    late = [report(street, now=timezone.now() - timedelta(days=3)) for _ in range(DASHBOARD_ROWS + 2)]
    deadlines.scan_deadlines(now=timezone.now())
    client.force_login(street.supervisor.user)
    body = client.get("/oversight/").content.decode()
    overdue = body[body.index('id="overdue"'):]
    assert overdue.count('href="/reports/') == DASHBOARD_ROWS
    assert f'href="/oversight/overdue/?node={street.street.code}"' in body
    assert f'href="/oversight/alerts/?node={street.street.code}"' in body

    listed = client.get(f"/oversight/overdue/?node={street.street.code}")
    assert listed.status_code == 200
    assert {row.pk for row in listed.context["page"]} == {row.pk for row in late}
    alerts = client.get(f"/oversight/alerts/?node={street.street.code}")
    assert alerts.status_code == 200 and len(alerts.context["page"]) >= len(late)
    assert client.get("/oversight/overdue/?page=999").status_code == 200  # past the end: the last page


def test_the_area_lists_keep_to_the_supervisors_area_and_refuse_others(street, client):
    from gridgov.orgs import services as orgs
    from gridgov.orgs.permissions import SYSTEM

    report(street, now=timezone.now() - timedelta(days=3))  # in 东门社区, not in the village
    deadlines.scan_deadlines(now=timezone.now())
    village_supervisor = orgs.person_create(actor=SYSTEM, name="白监察", node=street.village, role="supervisor",
                                            username="village-supervisor", password="a-long-password-1")
    client.force_login(village_supervisor.user)
    for path in ("/oversight/overdue/", "/oversight/alerts/", f"/oversight/overdue/?node={street.street.code}"):
        page = client.get(path)
        assert page.status_code == 200 and page.context["node"] == street.village
        assert len(page.context["page"]) == 0
    client.force_login(street.worker_a.user)
    assert client.get("/oversight/overdue/").status_code == 404
    assert client.get("/oversight/alerts/").status_code == 404
