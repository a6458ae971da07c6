"""Every value the API accepts has a range: bad input is a 4xx with a stable code, never a 500, never cut.

One test per defect found by a black-box run against the demo (issue #11), on SQLite and PostgreSQL.
"""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.ledger import services as ledger
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.services import api_token_create
from gridgov.reports import services as reports
from gridgov.reports.models import Category, Report
from gridgov.tasks import services as tasks
from gridgov.tasks.forms import PublishForm
from gridgov.tasks.models import Claim, Notice, Task, WorkType

API = "/api/v1"


def api_client(person) -> Client:
    _token, secret = api_token_create(actor=person)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post_json(client, url, body):
    """``body`` as JSON text, so a test can send what ``json.dumps`` would not write (``\\ud800``, ``NaN``)."""
    return client.post(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def assert_refused(response, status: int, code: str):
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code and response.json()["message"]


def task_body(**overrides):
    body = {"node_code": "C01", "title": "防汛巡查", "work_type_code": "fangxun-fangtai", "points": 10, "places": 2,
            "deadline": (timezone.now() + timedelta(days=2)).isoformat(), "requires_photo": False}
    body.update(overrides)
    return body


@pytest.fixture
def cadre(street):
    return api_client(street.community_cadre)


@pytest.fixture
def task(street):
    return tasks.task_publish(actor=SYSTEM, node=street.community, title="消防安全巡查",
                              work_type=WorkType.objects.get(name="消防安全"), points=20, places=3,
                              deadline=timezone.now() + timedelta(days=7), requires_photo=False,
                              requires_location=True)


# --- 1. 500s from bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["\\ud800", "前\\udfff后", "\\u0000"])
def test_a_lone_surrogate_or_nul_in_a_json_string_is_a_422(cadre, title):
    body = json.dumps(task_body(), ensure_ascii=False).replace('"防汛巡查"', f'"{title}"')
    assert_refused(post_json(cadre, f"{API}/tasks", body), 422, "invalid_request")
    assert not Task.objects.exists()


def test_a_lone_surrogate_deep_inside_a_json_body_is_a_422(street):
    body = '{"code": "x", "name": "x", "entity_kind": "node", "indices": [{"code": "a", "name": "\\ud83d"}]}'
    assert_refused(post_json(api_client(street.admin), f"{API}/indices/rule-sets", body), 422, "invalid_request")


def test_nul_in_query_and_form_parameters_is_a_422(street, task):
    cadre = api_client(street.supervisor)
    assert_refused(cadre.get(f"{API}/oversight/S01/audit", {"action": "report\x00"}), 422, "invalid_request")
    assert_refused(cadre.get(f"{API}/points/statement", {"reason": "\x00"}), 422, "invalid_request")
    worker = api_client(street.worker_a)
    claim = tasks.task_claim(actor=street.worker_a, task=task)
    submitted = worker.post(f"{API}/claims/{claim.pk}/submit", {"text": "巡查\x00完毕", "latitude": "28.1",
                                                                 "longitude": "120.2"})
    assert_refused(submitted, 422, "invalid_request")
    assert_refused(api_client(street.resident).post(f"{API}/reports", {"category": "environment", "node": "M01",
                                                                         "text": "\x00"}), 422, "invalid_request")
    assert Claim.objects.get(pk=claim.pk).state == "claimed" and not Report.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e999"])
def test_a_coordinate_that_is_not_a_finite_number_is_refused_in_multipart(street, task, value):
    claim = tasks.task_claim(actor=street.worker_a, task=task)
    submitted = api_client(street.worker_a).post(f"{API}/claims/{claim.pk}/submit",
                                                 {"text": "巡查完毕", "latitude": value, "longitude": "120.2"})
    assert_refused(submitted, 400, "invalid_location")
    filed = api_client(street.resident).post(f"{API}/reports", {"category": "environment", "node": "M01",
                                                                 "text": "路灯坏了", "latitude": "28.1",
                                                                 "longitude": value})
    assert_refused(filed, 400, "invalid_location")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999", "-1E+999"])
def test_nan_and_infinity_in_json_are_a_422(street, constant):
    admin = api_client(street.admin)
    body = ('{"node": "C01", "item": "study", "value": %s, "evidence": "学习记录", "assessed_on": "%s"}'
            % (constant, timezone.localdate().isoformat()))
    assert_refused(post_json(admin, f"{API}/indices/assessments", body), 422, "invalid_request")
    as_text = body.replace(constant, f'"{constant}"')
    assert_refused(post_json(admin, f"{API}/indices/assessments", as_text), 422, "invalid_request")


def test_reassigning_to_a_handler_that_does_not_exist_is_a_400(street):
    category = Category.objects.get(code="environment")
    report = reports.report_file(actor=street.resident, node=street.micro_a1, category=category, text="垃圾")
    cadre = api_client(street.community_cadre)
    for handler_id in (999_999, street.resident.pk):  # nobody, and somebody who does not handle reports
        answer = post_json(cadre, f"{API}/reports/{report.pk}/reassign", {"handler_id": handler_id})
        assert_refused(answer, 400, "invalid_handler")
    assert_refused(post_json(api_client(street.resident), f"{API}/reports/{report.pk}/reassign",
                             {"handler_id": 999_999}), 403, "forbidden")  # permission comes first


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_integers_beyond_their_documented_range_are_a_422(street, cadre, task, big):
    assert_refused(post_json(cadre, f"{API}/tasks", task_body(points=big)), 422, "invalid_request")
    assert_refused(post_json(cadre, f"{API}/tasks", task_body(places=big)), 422, "invalid_request")
    admin = api_client(street.admin)
    news = {"node": "C01", "title": "简报", "submitted_on": timezone.localdate().isoformat(), "spread_count": big}
    assert_refused(post_json(admin, f"{API}/indices/news", news), 422, "invalid_request")
    assessment = {"node": "C01", "item": "study", "value": str(big), "evidence": "记录",
                  "assessed_on": timezone.localdate().isoformat()}
    assert_refused(post_json(admin, f"{API}/indices/assessments", assessment), 422, "invalid_request")
    assert_refused(cadre.get(f"{API}/tasks", {"limit": big}), 422, "invalid_request")


@pytest.mark.parametrize("big", [2**53, 2**63, 10**30])
def test_ids_beyond_their_documented_range_are_a_422(cadre, big):
    assert_refused(post_json(cadre, f"{API}/claims/audit-batch", {"claim_ids": [big]}), 422, "invalid_request")
    assert_refused(cadre.get(f"{API}/tasks/{big}"), 422, "invalid_request")
    assert_refused(cadre.get(f"{API}/points/balance", {"person_id": big}), 422, "invalid_request")
    assert_refused(post_json(cadre, f"{API}/reports/{big}/rate", {"rating": 5}), 422, "invalid_request")


def test_ids_within_their_range_that_exist_nowhere_are_a_404(cadre):
    assert_refused(cadre.get(f"{API}/tasks/{2**31}"), 404, "not_found")
    assert post_json(cadre, f"{API}/claims/audit-batch", {"claim_ids": [2**31]}).json() == []


def test_a_datetime_without_an_offset_is_read_in_asia_shanghai(cadre):
    wall_clock = (timezone.localtime() + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0)
    naive = wall_clock.replace(tzinfo=None).isoformat()  # e.g. 2026-12-24T18:00:00
    created = post_json(cadre, f"{API}/tasks", task_body(deadline=naive))
    assert created.status_code == 201, created.content
    stored = Task.objects.get().deadline
    assert timezone.localtime(stored) == wall_clock
    assert datetime.fromisoformat(created.json()["deadline"]) == wall_clock


def test_audit_search_takes_naive_times_and_refuses_extreme_dates(street):
    supervisor = api_client(street.supervisor)
    assert supervisor.get(f"{API}/oversight/S01/audit", {"since": "2026-01-01T00:00:00"}).status_code == 200
    for extreme in ("0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59", "1999-12-31T15:59:59+00:00"):
        assert_refused(supervisor.get(f"{API}/oversight/S01/audit", {"since": extreme}), 422, "invalid_request")
        assert_refused(supervisor.get(f"{API}/oversight/S01/audit", {"until": extreme}), 422, "invalid_request")


def test_extreme_dates_on_the_audit_search_page_are_refused_on_the_form(client, street):
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/audit/", {"since": "0001-01-01", "until": "9999-12-31"})
    assert page.status_code == 200 and "2000-01-01" in page.content.decode()


# --- 2. oversized text is refused, never cut ------------------------------------------------------------


def test_a_title_over_its_column_is_a_422_not_cut(cadre):
    assert_refused(post_json(cadre, f"{API}/tasks", task_body(title="长" * 101)), 422, "invalid_request")
    assert post_json(cadre, f"{API}/tasks", task_body(title="长" * 100)).status_code == 201
    assert Task.objects.get().title == "长" * 100


@pytest.mark.parametrize("url, body", [
    ("/notices", {"node_code": "C01", "title": "通" * 101, "body": "内容"}),
    ("/points/grants", {"person_id": 1, "amount": 1, "reason": "理" * 201, "budget_node": "C01",
                        "idempotency_key": "k"}),
    ("/points/grants", {"person_id": 1, "amount": 1, "reason": "理", "budget_node": "C01", "idempotency_key": "k",
                        "memo": "注" * 201}),
])
def test_text_over_its_limit_is_a_422_everywhere(cadre, url, body):
    assert_refused(post_json(cadre, f"{API}{url}", body), 422, "invalid_request")


def test_services_refuse_text_over_its_column_for_every_caller(street, task):
    too_long = [
        lambda: tasks.task_publish(actor=SYSTEM, node=street.community, title="长" * 101, work_type=task.work_type,
                                   points=1, places=1, deadline=timezone.now() + timedelta(days=1)),
        lambda: tasks.notice_publish(actor=SYSTEM, node=street.community, title="长" * 101, body="内容"),
        lambda: ledger.grant_points(actor=SYSTEM, person=street.worker_a, amount=1, reason="理" * 201,
                                    idempotency_key="k", budget_node=street.community),
        lambda: reports.report_file(actor=street.resident, node=street.micro_a1, text="x", address="址" * 201,
                                    category=Category.objects.get(code="environment")),
    ]
    for call in too_long:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.status == 400
    assert not Notice.objects.exists() and Task.objects.count() == 1 and not Report.objects.exists()


def test_the_page_form_has_the_title_limit_next_to_the_field(street):
    form = PublishForm(data={"title": "长" * 101}, person=street.community_cadre)
    assert not form.is_valid() and "title" in form.errors


# --- 3. dates have bounds; every stored date renders ------------------------------------------------------


@pytest.mark.parametrize("deadline, status", [("9999-12-31T23:59:59+08:00", 422), ("1999-01-01T00:00:00", 422),
                                              ("2099-12-31T23:59:59+08:00", 400)])
def test_a_deadline_far_away_is_refused(cadre, deadline, status):
    assert post_json(cadre, f"{API}/tasks", task_body(deadline=deadline)).status_code == status
    assert not Task.objects.exists()


def test_a_deadline_more_than_three_years_ahead_is_refused_on_the_page_form(street):
    form = PublishForm(data={"title": "巡查", "deadline": "2099-12-31T18:00"}, person=street.community_cadre)
    assert not form.is_valid() and "deadline" in form.errors


def test_dates_that_record_the_past_are_not_in_the_future_nor_before_2000(street):
    admin = api_client(street.admin)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for day, status in ((tomorrow, 400), ("1999-12-31", 422), ("9999-12-31", 422)):
        news = {"node": "C01", "title": "简报", "submitted_on": day}
        assert post_json(admin, f"{API}/indices/news", news).status_code == status, day


def test_pages_render_a_deadline_stored_at_the_end_of_the_calendar(street, task):
    from datetime import timezone as dt_timezone

    Task.objects.filter(pk=task.pk).update(deadline=datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt_timezone.utc))
    tasks.task_claim(actor=street.worker_a, task=task)
    worker, cadre = Client(), Client()
    worker.force_login(street.worker_a.user)
    cadre.force_login(street.community_cadre.user)
    for client, url in ((worker, "/tasks/"), (worker, f"/tasks/{task.pk}/"), (worker, "/tasks/mine/"),
                        (cadre, "/tasks/published/")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "9999" in response.content.decode(), url
    assert api_client(street.worker_a).get(f"{API}/tasks/{task.pk}").json()["deadline"].startswith("9999-12-31")


def test_the_relative_deadline_filter_never_overflows():
    from gridgov.templatetags.gridgov_time import due, iso, when

    now = timezone.now()
    assert due(now + timedelta(hours=3, minutes=5), now=now) in ("还剩 3 小时", "3 hours left")
    assert due(now - timedelta(days=2, hours=1), now=now) in ("已超时 2 天", "2 days overdue")
    from datetime import timezone as dt_timezone

    end, start = datetime.max.replace(tzinfo=dt_timezone.utc), datetime.min.replace(tzinfo=dt_timezone.utc)
    for extreme in (end, start):
        assert when(extreme) and iso(extreme) and due(extreme, now=now)
    assert "9999" in when(end) and "UTC" in when(end)
    assert when(None) == due(None) == iso("") == ""


def test_a_points_amount_keeps_its_limit_at_the_service(street):
    with pytest.raises(DomainError) as refused:
        ledger.budget_set(actor=SYSTEM, node=street.community, period="2026-11", amount=2**63)
    assert refused.value.code == "invalid_amount"
    with pytest.raises(DomainError):
        tasks.task_publish(actor=SYSTEM, node=street.community, title="x", work_type=WorkType.objects.first(),
                           points=tasks.MAX_POINTS + 1, places=1, deadline=timezone.now() + timedelta(days=1))


def test_an_assessment_value_beyond_its_column_is_refused_by_the_service(street):
    from gridgov.indices import services as indices

    for value in (Decimal("1e8"), Decimal("0.001")):
        with pytest.raises(DomainError):
            indices.assessment_record(actor=SYSTEM, node=street.community, item="study", value=value,
                                      evidence="记录", assessed_on=timezone.localdate())
