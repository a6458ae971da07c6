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
