import json

from gridgov.orgs.services import api_token_create
from gridgov.reports.models import Report, ReportState
from gridgov.reports.tests.conftest import jpeg


def bearer(person):
    _token, secret = api_token_create(actor=person, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_json(client, url, body, person):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(person))


def test_resident_files_by_api_worker_resolves_resident_rates(street, client):
    response = client.post("/api/v1/reports", {"category": "environment", "node": "M01", "text": "路灯坏了",
                                               "photos": [jpeg()]}, **bearer(street.resident))
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["handler"] == "刘网格" and response.json()["photos"] == 1
    assert [r["id"] for r in client.get("/api/v1/reports/queue", **bearer(street.worker_a)).json()["items"]] == [report_id]
    assert post_json(client, f"/api/v1/reports/{report_id}/accept", {}, street.worker_a).status_code == 200
    assert post_json(client, f"/api/v1/reports/{report_id}/resolve", {"resolution": "修好了"},
                     street.worker_a).status_code == 200
    rated = post_json(client, f"/api/v1/reports/{report_id}/rate", {"rating": 5}, street.resident)
    assert rated.status_code == 200 and rated.json()["state"] == ReportState.CONFIRMED
    assert [e["event"] for e in rated.json()["events"]][:5] == ["submit", "accept", "resolve", "confirm", "points_refused"]


def test_api_refusals_have_stable_codes(street, client):
    assert client.post("/api/v1/reports", {"category": "nope", "node": "M01", "text": "x"},
                       **bearer(street.resident)).json()["code"] == "unknown_category"
    empty = client.post("/api/v1/reports", {"category": "environment", "node": "M01"}, **bearer(street.resident))
    assert empty.status_code == 400 and not Report.objects.exists()
    outside = client.post("/api/v1/reports", {"category": "environment", "node": "G03", "text": "x"},
                          **bearer(street.resident))
    assert outside.status_code == 403
    report_id = client.post("/api/v1/reports", {"category": "environment", "node": "M01", "text": "x"},
                            **bearer(street.resident)).json()["id"]
    wrong_order = post_json(client, f"/api/v1/reports/{report_id}/resolve", {"resolution": "x"}, street.worker_a)
    assert wrong_order.status_code == 409 and wrong_order.json()["code"] == "invalid_state"
    assert post_json(client, f"/api/v1/reports/{report_id}/accept", {}, street.worker_b).status_code in (403, 404)
    bad_rating = post_json(client, f"/api/v1/reports/{report_id}/rate", {"rating": "many"}, street.resident)
    assert bad_rating.status_code == 422


def test_supervisor_reads_levels_findings_and_audit_by_api(street, client):
    client.post("/api/v1/reports", {"category": "environment", "node": "M01", "text": "x"}, **bearer(street.resident))
    headers = bearer(street.supervisor)
    assert [row["open"] for row in client.get("/api/v1/oversight/S01/levels", **headers).json()["items"]] == [1, 0, 0]
    assert client.get("/api/v1/oversight/S01/findings", **headers).json()["items"] == []
    audit = client.get("/api/v1/oversight/S01/audit?action=report.", **headers).json()["items"]
    assert [row["action"] for row in audit] == ["report.file"]
    assert client.get("/api/v1/oversight/S01/levels", **bearer(street.worker_a)).status_code == 403
