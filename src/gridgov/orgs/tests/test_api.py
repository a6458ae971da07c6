"""The JSON API for tokens, "me", the tree and people, through Django's test client."""

import pytest

from gridgov.api_schemas import MAX_LIMIT
from gridgov.audit.models import AuditRecord
from gridgov.orgs import services
from gridgov.orgs.models import ApiToken, Node, NodeKind, Role
from gridgov.testing import factories

API = "/api/v1"


def bearer(person) -> dict:
    _token, secret = services.api_token_create(actor=person, label="test")
    return {"Authorization": f"Bearer {secret}"}


def get(client, person, url, **params):
    return client.get(f"{API}{url}", params, headers=bearer(person))


# --- tokens ----------------------------------------------------------------------------------------------


def test_token_is_issued_once_for_good_credentials_and_then_works(client, street):
    response = client.post(f"{API}/auth/token", {"username": "worker_a", "password": "pass-for-tests-1",
                                                 "label": "phone"}, content_type="application/json")
    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["label"] == "phone"
    assert not ApiToken.objects.filter(digest=token).exists()  # only the digest is stored
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["name"] == "刘网格"
    assert AuditRecord.objects.filter(action="api_token.create", actor_id=street.worker_a.pk).exists()


def test_wrong_password_gives_401_bad_credentials(client, street):
    response = client.post(f"{API}/auth/token", {"username": "worker_a", "password": "nope"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_repeated_wrong_passwords_are_refused_with_429_locked_out(client, street, settings):
    """The address is locked after AXES_FAILURE_LIMIT failures (the rules: gridgov/tests/test_logins.py)."""
    codes = [client.post(f"{API}/auth/token", {"username": f"guess{attempt}", "password": "nope"},
                         content_type="application/json").status_code
             for attempt in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    right = client.post(f"{API}/auth/token", {"username": "worker_a", "password": "pass-for-tests-1"},
                        content_type="application/json")
    assert right.status_code == 429  # even the right password, while refused
    assert right["Content-Type"] == "application/json; charset=utf-8"
    assert right.json()["code"] == "locked_out"
    assert right["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))  # how long to wait
    assert not ApiToken.objects.filter(person=street.worker_a).exists()


def test_login_without_a_person_cannot_get_a_token(client, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="ghost", password="pass-for-tests-1")
    response = client.post(f"{API}/auth/token", {"username": "ghost", "password": "pass-for-tests-1"},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "no_person"


def test_revoked_token_stops_working_and_revocation_is_audited(client, street):
    headers = bearer(street.worker_a)
    assert client.delete(f"{API}/auth/token", headers=headers).status_code == 204
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    record = AuditRecord.objects.get(action="api_token.revoke")
    assert record.actor_id == street.worker_a.pk


def test_missing_or_invalid_token_gives_401_json(client, street):
    for headers in [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic d29ya2VyOng="}]:
        response = client.get(f"{API}/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


# --- me --------------------------------------------------------------------------------------------------


def test_me_lists_my_roles_nodes_and_allowed_actions(client, street):
    body = get(client, street.worker_a, "/me").json()
    assert [(role["role"], role["node"]["code"]) for role in body["roles"]] == [(Role.GRID_WORKER, "G01")]
    actions = body["roles"][0]["actions"]
    assert "node.view" in actions and "node.manage" not in actions
    assert body["roles"][0]["node"]["parent_code"] == "C01"
    assert body["phone_masked"] == ""


def test_me_of_a_cadre_includes_management_actions(client, street):
    body = get(client, street.street_cadre, "/me").json()
    assert {"node.manage", "person.view_private"} <= set(body["roles"][0]["actions"])


# --- scope -----------------------------------------------------------------------------------------------


def test_worker_of_grid_a_gets_not_found_for_grid_b_and_the_community(client, street):
    for code in ["G02", "C01", "M03"]:
        response = get(client, street.worker_a, f"/nodes/{code}")
        assert response.status_code == 404, code
        assert response.json()["code"] == "not_found"
    # the answer does not tell an existing node outside the area from an unknown code
    assert get(client, street.worker_a, "/nodes/G02").json() == get(client, street.worker_a, "/nodes/NOPE").json()
    assert AuditRecord.objects.filter(actor_id=street.worker_a.pk, outcome="denied", node_id=street.grid_b.pk).exists()


def test_worker_of_grid_a_cannot_read_grid_b_subtree_children_or_people(client, street):
    for url in ["/nodes/G02/subtree", "/nodes/G02/children", "/nodes/G02/people"]:
        assert get(client, street.worker_a, url).status_code == 404, url


def test_worker_cannot_create_a_node_in_another_grid(client, street):
    response = client.post(f"{API}/nodes/G02/children", {"kind": "micro_grid", "code": "X1", "name": "越权"},
                           content_type="application/json", headers=bearer(street.worker_a))
    assert response.status_code == 404
    assert not Node.objects.filter(code="X1").exists()


def test_worker_may_see_own_grid_but_not_change_it(client, street):
    assert get(client, street.worker_a, "/nodes/G01").status_code == 200
    response = client.patch(f"{API}/nodes/G01", {"name": "改名"}, content_type="application/json",
                            headers=bearer(street.worker_a))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_street_cadre_reads_all_of_its_street(client, street):
    body = get(client, street.street_cadre, "/nodes/S01/subtree").json()
    codes = {item["code"] for item in body["items"]}
    assert codes == {"S01", "C01", "V01", "G01", "G02", "G03", "M01", "M02", "M03"}
    assert body["count"] == 9
    for code in codes:
        assert get(client, street.street_cadre, f"/nodes/{code}").status_code == 200
    assert get(client, street.street_cadre, "/nodes/D01").status_code == 404


def test_my_roots_are_the_nodes_where_i_hold_roles(client, street):
    services.role_grant(actor=street.admin, person=street.worker_a, node=street.micro_a1, role=Role.GRID_LEADER)
    services.role_grant(actor=street.admin, person=street.worker_a, node=street.grid_c, role=Role.GRID_WORKER)
    body = get(client, street.worker_a, "/nodes").json()["items"]
    assert [node["code"] for node in body] == ["G01", "G03"]  # M01 lies inside G01


# --- tree reads ------------------------------------------------------------------------------------------


def test_node_detail_counts_children_by_kind(client, street):
    factories.node(street.community, NodeKind.BUILDING, "1号楼", "B01")
    body = get(client, street.community_cadre, "/nodes/C01").json()
    assert body["parent_code"] == "S01"
    assert body["children_by_kind"] == {"grid": 2, "building": 1}
    assert body["descendants_count"] == 6
    assert body["kind"] == "community"


def test_children_are_listed_with_their_parent(client, street):
    body = get(client, street.community_cadre, "/nodes/C01/children").json()["items"]
    assert [(child["code"], child["parent_code"]) for child in body] == [("G01", "C01"), ("G02", "C01")]


def test_subtree_is_paginated_and_filtered_by_kind(client, street):
    first = get(client, street.street_cadre, "/nodes/S01/subtree", limit=4).json()
    second = get(client, street.street_cadre, "/nodes/S01/subtree", limit=4, offset=4).json()
    assert len(first["items"]) == 4 and len(second["items"]) == 4
    assert first["count"] == second["count"] == 9
    assert not {n["code"] for n in first["items"]} & {n["code"] for n in second["items"]}
    micro = get(client, street.street_cadre, "/nodes/S01/subtree", kind="micro_grid").json()
    assert [n["code"] for n in micro["items"]] == ["M01", "M02", "M03"]
    assert {n["parent_code"] for n in micro["items"]} == {"G01", "G02"}
    shallow = get(client, street.street_cadre, "/nodes/S01/subtree", max_depth=1).json()
    assert shallow["count"] == 3


def test_subtree_limit_above_the_maximum_is_refused(client, street):
    response = get(client, street.street_cadre, "/nodes/S01/subtree", limit=MAX_LIMIT + 1)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_search_by_pinyin_initials_stays_in_my_area(client, street):
    body = get(client, street.street_cadre, "/nodes/search", q="dmsq").json()["items"]
    assert [node["code"] for node in body] == ["C01"]
    assert get(client, street.worker_b, "/nodes/search", q="dmdy").json()["items"] == []  # 东门第一网格 is grid A
    assert [n["code"] for n in get(client, street.worker_a, "/nodes/search", q="dmdy").json()["items"]] == ["G01"]


# --- people ----------------------------------------------------------------------------------------------


def test_people_of_a_grid_show_phone_to_cadres_and_masked_to_grid_leaders(client, street):
    factories.person("钱居民", node=street.micro_a2, role=Role.RESIDENT, phone="13812345678")
    leader = factories.person("郑网格长", node=street.grid_a, role=Role.GRID_LEADER)
    cadre_view = get(client, street.community_cadre, "/nodes/G01/people").json()
    leader_view = get(client, leader, "/nodes/G01/people").json()
    phones = {p["name"]: p["phone"] for p in cadre_view["items"]}
    assert phones["钱居民"] == "13812345678"
    assert {p["name"]: p["phone"] for p in leader_view["items"]}["钱居民"] == "138****5678"
    assert cadre_view["count"] == 4  # 刘网格, 周居民, 钱居民, 郑网格长
    roles = {p["name"]: [(r["role"], r["node_code"]) for r in p["roles"]] for p in cadre_view["items"]}
    assert roles["周居民"] == [(Role.RESIDENT, "M01")]


def test_grid_worker_may_not_list_people(client, street):
    response = get(client, street.worker_a, "/nodes/G01/people")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- writes ----------------------------------------------------------------------------------------------


def test_community_cadre_creates_a_micro_grid_and_it_is_audited(client, street):
    response = client.post(f"{API}/nodes/G01/children", {"kind": "micro_grid", "code": "M09", "name": "新微网格"},
                           content_type="application/json", headers=bearer(street.community_cadre))
    assert response.status_code == 201
    assert response.json()["parent_code"] == "G01"
    node = Node.objects.get(code="M09")
    assert street.grid_a.covers(node) and node.depth == street.grid_a.depth + 1
    record = AuditRecord.objects.get(action="node.create", object_id=str(node.pk))
    assert record.actor_id == street.community_cadre.pk
    assert record.actor_role == Role.COMMUNITY_CADRE


def test_node_of_a_kind_that_does_not_fit_is_refused_with_400(client, street):
    response = client.post(f"{API}/nodes/S01/children", {"kind": "grid", "code": "BAD", "name": "错层"},
                           content_type="application/json", headers=bearer(street.street_cadre))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_duplicate_code_is_refused_with_400(client, street):
    response = client.post(f"{API}/nodes/G01/children", {"kind": "micro_grid", "code": "M03", "name": "重复"},
                           content_type="application/json", headers=bearer(street.community_cadre))
    assert response.status_code == 400
    assert "M03" in response.json()["message"]


def test_cadre_renames_a_node_and_the_before_and_after_are_audited(client, street):
    response = client.patch(f"{API}/nodes/G01", {"name": "东门新村网格"}, content_type="application/json",
                            headers=bearer(street.community_cadre))
    assert response.status_code == 200
    assert response.json()["name"] == "东门新村网格"
    record = AuditRecord.objects.get(action="node.update")
    assert record.before["name"] == "东门第一网格"
    assert record.after["name"] == "东门新村网格"


def test_rename_with_nothing_to_change_is_a_422(client, street):
    response = client.patch(f"{API}/nodes/G01", {}, content_type="application/json",
                            headers=bearer(street.community_cadre))
    assert response.status_code == 422


@pytest.mark.parametrize("body", [
    {"kind": "micro_grid", "code": "has space", "name": "x"},
    {"kind": "micro_grid", "code": "a/b", "name": "x"},
    {"kind": "micro_grid", "code": "M10", "name": "bad\x00name"},
    {"kind": "micro_grid", "code": "M10", "name": "x" * 101},
    {"kind": "planet", "code": "M10", "name": "x"},
    {"kind": "micro_grid", "code": 12, "name": "x"},
    {"kind": "micro_grid", "name": "x"},
])
def test_malformed_node_bodies_are_refused_with_422(client, street, body):
    response = client.post(f"{API}/nodes/G01/children", body, content_type="application/json",
                           headers=bearer(street.community_cadre))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert not Node.objects.filter(code="M10").exists()
