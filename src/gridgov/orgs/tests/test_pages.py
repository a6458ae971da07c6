"""The server-rendered pages and the admin: login, home per role, tree browser, language, admin writes."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.orgs import services
from gridgov.orgs.models import Node, NodeKind, Role, RoleAssignment
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import person

PASSWORD = "pass-for-tests-1"
HTMX = {"HTTP_HX_REQUEST": "true"}


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def log_in(client, someone):
    client.force_login(someone.user)
    return client


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


# Login and rate limiting


def test_login_through_the_form_lands_on_the_home_page(client, street):
    response = client.post(reverse("login"), {"username": "street", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "王街道" in page and "浮云街道" in page


def test_wrong_password_shows_the_form_again_with_a_message(client, street):
    response = client.post(reverse("login"), {"username": "street", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_repeated_failures_pause_logins_and_refuse_even_the_right_password(client, street, settings):
    """The detail of what is locked and what is slowed is in gridgov/tests/test_logins.py."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess{attempt}", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "street", "password": PASSWORD})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()  # how many minutes to wait, in words
    assert "_auth_user_id" not in client.session


def test_pages_need_a_login(client, street):
    response = client.get(reverse("tree_node", args=["C01"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Home page


def test_user_without_a_person_is_told_so_and_pointed_to_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "orgs/home_no_person.html" in [t.name for t in response.templates]
    assert reverse("admin:index") in response.content.decode()


# Tree browser


def test_tree_index_opens_the_only_node_where_the_roles_start(client, street):
    response = log_in(client, street.street_cadre).get(reverse("tree"))
    assert response.status_code == 302
    assert response["Location"] == reverse("tree_node", args=["S01"])


def test_tree_node_lists_children_breadcrumb_and_role_holders(client, street):
    response = log_in(client, street.street_cadre).get(reverse("tree_node", args=["C01"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert [node.code for node, _below in response.context["rows"]] == ["G01", "G02"]
    assert "浮云街道" in page and "东门第一网格" in page
    assert "李社区" in page and "陈党委" in page


def test_tree_node_outside_the_persons_area_is_forbidden_with_a_clear_page(client, street):
    response = log_in(client, street.village_cadre).get(reverse("tree_node", args=["C01"]))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "东门第一网格" not in response.content.decode()
    assert AuditRecord.objects.filter(actor_id=street.village_cadre.pk, action="node.view", outcome="denied").exists()


def test_unknown_node_code_is_not_found(client, street):
    response = log_in(client, street.street_cadre).get(reverse("tree_node", args=["NOPE"]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_account_without_a_person_may_not_browse_the_tree(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("tree_node", args=["C01"])).status_code == 403


def test_search_by_pinyin_initials_finds_dongmen_for_the_street_cadre_only(client, street):
    found = log_in(client, street.street_cadre).get(reverse("tree"), {"q": "dmsq"}, **HTMX)
    assert "东门社区" in found.content.decode()
    assert "<html" not in found.content.decode()  # a fragment for htmx
    client.logout()
    hidden = log_in(client, street.village_cadre).get(reverse("tree"), {"q": "dmsq"}, **HTMX)
    assert "东门社区" not in hidden.content.decode()


def test_search_works_without_javascript_as_a_full_page(client, street):
    response = log_in(client, street.street_cadre).get(reverse("tree"), {"q": "白岩"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert [node.code for node, _crumbs in response.context["results"]] == ["V01", "G03"]


def test_expanding_a_node_returns_its_children_as_a_fragment(client, street):
    response = log_in(client, street.community_cadre).get(reverse("tree_children", args=["G01"]), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "东门一网格微网格1" in page and "东门一网格微网格2" in page
    assert "<html" not in page


def test_expanding_a_node_outside_the_area_is_forbidden(client, street):
    response = log_in(client, street.worker_b).get(reverse("tree_children", args=["G01"]), **HTMX)
    assert response.status_code == 403


def test_phone_numbers_are_masked_unless_the_role_may_see_private_data(client, street):
    person("钱网格", node=street.grid_a, role=Role.GRID_WORKER, phone="13812345678")
    as_auditor = log_in(client, street.auditor).get(reverse("tree_node", args=["G01"])).content.decode()
    assert "138****5678" in as_auditor and "13812345678" not in as_auditor
    client.logout()
    as_cadre = log_in(client, street.community_cadre).get(reverse("tree_node", args=["G01"])).content.decode()
    assert "13812345678" in as_cadre


def test_grid_worker_sees_own_grid_but_not_who_holds_roles_there(client, street):
    response = log_in(client, street.worker_a).get(reverse("tree_node", args=["G01"]))
    assert response.status_code == 200
    assert response.context["holders"] is None


# Language


def test_switching_to_english_changes_the_visible_labels(client, street):
    chinese = client.get(reverse("login")).content.decode()
    assert "用户名" in chinese and 'lang="zh-hans"' in chinese
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    english = response.content.decode()
    assert "Username" in english and "用户名" not in english
    assert 'lang="en"' in english


# Admin


def test_admin_changelist_and_add_pages_load_for_every_model(client, street, superuser):
    client.force_login(superuser)
    services.api_token_create(actor=street.worker_a, label="phone")
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:%s_%s_changelist" % info)).status_code == 200, info
        assert client.get(reverse("admin:%s_%s_changelist" % info), {"q": "东门"}).status_code == 200, info
        if model_admin.has_add_permission(request_for(superuser)):
            assert client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, info
        first = model._default_manager.first()
        if first is not None:
            assert client.get(reverse("admin:%s_%s_change" % info, args=[first.pk])).status_code == 200, info


def test_audit_record_admin_allows_reading_but_no_change_add_or_delete(client, street, superuser):
    client.force_login(superuser)
    record = AuditRecord.objects.first()
    change_url = reverse("admin:audit_auditrecord_change", args=[record.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {"action": "forged"}).status_code == 403
    assert client.get(reverse("admin:audit_auditrecord_delete", args=[record.pk])).status_code == 403
    assert client.post(reverse("admin:audit_auditrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    record.refresh_from_db()
    assert record.action != "forged"


def test_admin_node_add_goes_through_the_service_and_is_audited(client, street, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:orgs_node_add"), {
        "parent": street.grid_c.pk, "kind": NodeKind.MICRO_GRID, "code": "M99", "name": "白岩一网格微网格9",
    })
    assert response.status_code == 302
    node = Node.objects.get(code="M99")
    assert Node.objects.get_parent(node) == street.grid_c
    record = AuditRecord.objects.get(action="node.create", object_id=str(node.pk))
    assert record.actor_name == SYSTEM.name


def test_admin_write_outside_the_admins_area_is_refused_on_the_form(client, street):
    user = street.village_cadre.user
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    response = client.post(reverse("admin:orgs_node_add"), {
        "parent": street.grid_a.pk, "kind": NodeKind.MICRO_GRID, "code": "M98", "name": "越权微网格",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Node.objects.filter(code="M98").exists()
    assert AuditRecord.objects.filter(actor_id=street.village_cadre.pk, outcome="denied").exists()


def test_admin_rename_goes_through_the_service(client, street, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:orgs_node_change", args=[street.grid_b.pk]),
                           {"code": "G02", "name": "东门第二网格（新）"})
    assert response.status_code == 302
    street.grid_b.refresh_from_db()
    assert street.grid_b.name == "东门第二网格（新）"
    assert AuditRecord.objects.filter(action="node.update", object_id=str(street.grid_b.pk)).exists()


def test_admin_person_add_with_bad_phone_shows_the_reason(client, street, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:orgs_person_add"), {"name": "冯新人", "phone": "12345", "role": ""})
    assert response.status_code == 200
    assert "12345" in str(response.context["adminform"].form.non_field_errors())


def test_admin_revoking_a_role_is_audited_and_nodes_cannot_be_deleted(client, street, superuser):
    client.force_login(superuser)
    assignment = RoleAssignment.objects.get(person=street.worker_b)
    response = client.post(reverse("admin:orgs_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditRecord.objects.filter(action="role.revoke", object_id=str(street.worker_b.pk)).exists()
    assert client.get(reverse("admin:orgs_node_delete", args=[street.grid_b.pk])).status_code == 403
