"""Pages, the .xlsx list, the public QR page and the API over a small computed street."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from gridgov.indices import schemes, services
from gridgov.indices.models import ActivityRecord, Assessment, NewsItem, Standing
from gridgov.orgs import services as org_services
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(street):
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    for month, missed in [(9, True), (10, True)]:
        day = date(2026, month, 10)
        ActivityRecord.objects.create(node=street.community, kind="党课", due_on=day, held_on=day)
        ActivityRecord.objects.create(node=street.village, kind="党课", due_on=day, held_on=None if missed else day)
        NewsItem.objects.create(node=street.community, title="东门动态", submitted_on=day, adopted=True)
        Assessment.objects.create(node=street.grid_a, person=street.worker_a, item="study", value=30,
                                  evidence="学分记录", assessed_on=day)
        for definition in schemes.DEFINITIONS:
            run = services.run_compute(actor=SYSTEM, scheme=definition["code"], period=f"2026-{month:02d}")
            services.run_publish(actor=SYSTEM, run=run)
    return street


def client_for(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def api_for(person) -> Client:
    _token, secret = org_services.api_token_create(actor=person, label="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_street_cadre_sees_the_monthly_ranking_with_colours(computed):
    response = client_for(computed.street_cadre).get(f"/indices/{schemes.TAIZHOU}/2026-10/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "东门社区" in body and "白岩村" in body
    assert "colour-red" in body and "colour-grey" in body  # 白岩: tea in September, grey in October


def test_index_page_offers_only_the_rankings_the_person_may_open(computed):
    ranking = f"/indices/{schemes.TAIZHOU}/2026-10/"  # the street's communities and villages
    assert ranking in client_for(computed.street_cadre).get("/indices/").content.decode()
    community_page = client_for(computed.community_cadre).get("/indices/").content.decode()
    assert ranking not in community_page
    assert client_for(computed.community_cadre).get(ranking).status_code == 403


def test_a_worker_is_offered_neither_the_rankings_nor_the_event_forms(computed):
    page = client_for(computed.worker_a).get("/indices/me/").content.decode()
    assert "/indices/record/" not in page and 'href="/indices/"' not in page
    assert client_for(computed.worker_a).get("/indices/").status_code == 403
    assert "/indices/record/" in client_for(computed.community_cadre).get("/indices/me/").content.decode()


def test_worker_may_not_open_the_organisation_ranking(computed):
    response = client_for(computed.worker_a).get(f"/indices/{schemes.TAIZHOU}/2026-10/")
    assert response.status_code == 403


def test_explanation_page_answers_why_a_unit_is_grey(computed):
    standing = Standing.objects.get(run__scheme=schemes.TAIZHOU, run__period="2026-10", node=computed.village)
    response = client_for(computed.street_cadre).get(f"/indices/standing/{standing.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "连续两月为茶码" in body and "组织生活按要求开展率" in body


def test_ranking_exports_as_xlsx(computed):
    response = client_for(computed.street_cadre).get(
        f"/indices/{schemes.TAIZHOU}/2026-10/liangfen.xlsx?parent={computed.street.pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert set(names) == {"东门社区", "白岩村"}


def test_ranking_xlsx_keeps_formula_like_names_as_text(computed):
    from gridgov.orgs.models import Node
    from gridgov.testing.spreadsheets import HOSTILE_TEXT, formula_cells, texts

    Node.objects.filter(pk=computed.village.pk).update(name=HOSTILE_TEXT)
    response = client_for(computed.street_cadre).get(
        f"/indices/{schemes.TAIZHOU}/2026-10/liangfen.xlsx?parent={computed.street.pk}")
    assert formula_cells(response.content) == []
    assert HOSTILE_TEXT in texts(response.content)


def test_member_sees_their_own_pioneer_index_with_its_breakdown(computed):
    response = client_for(computed.worker_a).get("/indices/me/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "学分" in body and "<svg" in body


def test_organisation_history_page_draws_a_server_side_chart(computed):
    response = client_for(computed.community_cadre).get(f"/indices/org/{computed.community.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body and "<rect" in body and "2026-09" in body


def test_public_page_of_the_qr_code_shows_colour_and_scores_without_login_and_nothing_personal(computed):
    code = services.org_code_issue(actor=SYSTEM, node=computed.village)
    assert services.org_code_issue(actor=SYSTEM, node=computed.village).slug == code.slug  # permanent
    assert len(code.slug) >= 16
    response = Client().get(f"/o/{code.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-colour="grey"' in body and "<svg" in body and "白岩村" in body
    for personal in ["赵村干", "刘网格", "李社区"]:
        assert personal not in body
    assert Client().get("/o/not-a-real-slug/").status_code == 404


def test_cadre_records_an_activity_through_the_form(computed):
    client = client_for(computed.community_cadre)
    response = client.post("/indices/record/activity/", {"node": computed.community.pk, "kind": "支委会",
                                                         "due_on": "2026-11-10", "held_on": "2026-11-09",
                                                         "required": "on"})
    assert response.status_code == 302
    assert ActivityRecord.objects.filter(kind="支委会", node=computed.community).exists()
    refused = client.post("/indices/record/assessment/", {"node": computed.community.pk, "item": "study",
                                                          "value": "abc", "evidence": "", "assessed_on": "x"})
    assert refused.status_code == 200 and Assessment.objects.filter(item="study").count() == 2


def test_api_ranking_explanation_and_frozen_period(computed):
    client = api_for(computed.street_cadre)
    rows = client.get(f"/api/v1/indices/{schemes.TAIZHOU}/2026-10/ranking?parent={computed.street.pk}").json()["items"]
    assert {row["name"]: row["colour"] for row in rows} == {"东门社区": "red", "白岩村": "grey"}
    explained = client.get(f"/api/v1/indices/standings/{rows[0]['id']}/explanation").json()
    assert explained["indices"][0]["indicators"][0]["code"] == "life_held"
    assert client.post(f"/api/v1/indices/{schemes.TAIZHOU}/2026-10/compute").status_code == 403
    client = api_for(computed.admin)  # a run covers the whole tree: computed by the platform admin
    frozen = client.post(f"/api/v1/indices/{schemes.TAIZHOU}/2026-10/compute")
    assert frozen.status_code == 409 and frozen.json()["code"] == "frozen"
    corrected = client.post(f"/api/v1/indices/{schemes.TAIZHOU}/2026-10/correct",
                            data=json.dumps({"reason": "补录10月党课"}), content_type="application/json")
    assert corrected.status_code == 202 and corrected.json()["state"] == "done"  # the test backend runs jobs at once
    assert corrected.json()["run"]["revision"] == 2 and corrected.json()["percent"] == 100
    polled = client.get(f"/api/v1/indices/computations/{corrected.json()['id']}").json()
    assert polled["run"]["revision"] == 2


def test_api_refuses_a_bad_rule_set_with_the_reason(computed):
    client = api_for(computed.admin)
    bad = {"code": "bad", "name": "bad", "entity_kind": "node", "node_kinds": ["community"],
           "indices": [{"code": "a", "indicators": [{"code": "x", "source": "news", "weight": "lots"}]}]}
    response = client.post("/api/v1/indices/rule-sets", data=json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    [error] = response.json()["errors"]
    assert error["loc"][-1] == "weight"
    unknown = {**bad, "indices": [{"code": "a", "indicators": [{"code": "x", "source": "horoscope"}]}]}
    response = client.post("/api/v1/indices/rule-sets", data=json.dumps(unknown), content_type="application/json")
    assert response.status_code == 400 and "horoscope" in response.json()["message"]


def test_api_public_data_needs_no_token(computed):
    code = services.org_code_issue(actor=SYSTEM, node=computed.community)
    data = Client().get(f"/api/v1/indices/public/{code.slug}").json()
    assert data["name"] == "东门社区"
    assert {scheme["code"] for scheme in data["schemes"]} >= {schemes.TAIZHOU, schemes.FORTRESS}


def test_compute_command_runs_one_period(computed):
    out = io.StringIO()
    call_command("indices", "compute", "--period", "2026-11", stdout=out)
    assert f"{schemes.TAIZHOU} 2026-11 第 1 版，草稿" in out.getvalue()


def test_admin_indicator_form_refuses_an_unknown_source_and_locked_versions_are_read_only(computed):
    from django.contrib.auth import get_user_model

    from gridgov.indices.admin import IndicatorForm
    from gridgov.indices.models import Index, RuleSet

    index = Index.objects.filter(rule_set__code=schemes.FORTRESS).first()
    form = IndicatorForm(data={"index": index.pk, "code": "x", "name": "x", "source": "horoscope", "filter": "{}",
                               "aggregation": "count", "normalisation": "none", "weight": "1", "sign": "1",
                               "order": "0"})
    assert not form.is_valid()
    admin_user = get_user_model().objects.create_superuser("root", password="pass-for-tests-1")
    client = Client()
    client.force_login(admin_user)
    locked = RuleSet.objects.get(code=schemes.TAIZHOU)
    assert locked.locked_at is not None
    page = client.get(f"/admin/indices/ruleset/{locked.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
