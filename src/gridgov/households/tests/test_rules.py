"""Village-rule compliance (村规民约): rules as data per village, breaches recorded and revoked in scope, the
compliance columns of the credit export."""

import json
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.households import credit, ranking, rules
from gridgov.households.models import RuleBreach
from gridgov.households.tests.test_api import bearer
from gridgov.ledger import checkpoints


@pytest.fixture
def rule(village):
    return rules.rule_create(actor=village.street.community_cadre, node=village.street.community, code="litter",
                             text="不乱扔垃圾，垃圾分类投放")


def test_a_worker_records_a_breach_and_the_household_is_no_longer_compliant(village, rule):
    breach = rules.breach_record(actor=village.street.worker_a, household=village.home, rule=rule,
                                 occurred_on=timezone.localdate(), note="垃圾堆在路边")
    assert rules.breach_counts([village.home.pk]) == {village.home.pk: 1}
    assert AuditRecord.objects.filter(action="household.breach").count() == 1
    rules.breach_revoke(actor=village.street.community_cadre, breach=breach, reason="误记")
    assert rules.breach_counts([village.home.pk]) == {}
    assert RuleBreach.objects.get().revoke_reason == "误记"
    with pytest.raises(DomainError) as refused:
        rules.breach_revoke(actor=village.street.community_cadre, breach=breach, reason="again")
    assert refused.value.code == "invalid_state"


def test_a_breach_outside_the_actors_area_is_refused_with_nothing_written(village, rule):
    with pytest.raises(DomainError) as refused:
        rules.breach_record(actor=village.street.worker_b, household=village.home, rule=rule,
                            occurred_on=timezone.localdate())
    assert refused.value.code == "forbidden"
    assert not RuleBreach.objects.exists()


def test_another_villages_rule_is_refused(village):
    other = rules.rule_create(actor=village.street.village_cadre, node=village.street.village, code="dogs",
                              text="文明养犬")
    with pytest.raises(DomainError) as refused:
        rules.breach_record(actor=village.street.worker_a, household=village.home, rule=other,
                            occurred_on=timezone.localdate())
    assert refused.value.code == "unknown_rule"


def test_a_breach_older_than_twelve_months_no_longer_counts(village, rule):
    rules.breach_record(actor=village.street.worker_a, household=village.home, rule=rule,
                        occurred_on=timezone.localdate() - timedelta(days=400))
    assert rules.breach_counts([village.home.pk]) == {}


def test_rules_belong_to_a_village_and_a_code_is_used_once(village, rule):
    with pytest.raises(DomainError) as refused:
        rules.rule_create(actor=village.street.street_cadre, node=village.street.grid_a, code="x", text="规则")
    assert refused.value.code == "rule_node"
    with pytest.raises(DomainError) as refused:
        rules.rule_create(actor=village.street.community_cadre, node=village.street.community, code="litter",
                          text="重复")
    assert refused.value.code == "duplicate_rule"


def test_the_credit_export_carries_compliance_signed_in_both_forms(village, rule):
    for household in (village.home, village.next_door):
        credit.consent_record(actor=village.street.community_cadre, household=household, partner="泰隆银行",
                              given_on=date(2026, 1, 5))
    rules.breach_record(actor=village.street.worker_a, household=village.next_door, rule=rule,
                        occurred_on=timezone.localdate())
    export = credit.credit_export(actor=village.street.community_cadre, node=village.street.community,
                                  partner="泰隆银行", month=ranking.month_of())
    rows = {row["household"]: row for row in export.payload["rows"]}
    assert (rows["H-A1-01"]["breaches_12m"], rows["H-A1-01"]["compliant"]) == (0, True)
    assert (rows["H-A1-02"]["breaches_12m"], rows["H-A1-02"]["compliant"]) == (1, False)
    key = checkpoints.log_verifier_key()
    assert credit.verify_json(export.json_bytes(), key)
    document = credit.xlsx_bytes(credit.credit_export(actor=village.street.community_cadre,
                                                      node=village.street.community, partner="泰隆银行",
                                                      month=ranking.month_of(), form="xlsx"))
    assert credit.verify_xlsx(document, key)
    sheet = load_workbook(BytesIO(document))["credit"]
    assert [cell.value for cell in sheet[6]][-2:] == ["breaches_12m", "compliant"]
    assert [cell.value for cell in sheet[8]][-2:] == ["1", "False"]


def test_the_api_records_lists_and_revokes_a_breach(client, village, rule):
    auth = bearer(village.street.worker_a)
    answer = client.post(f"/api/v1/households/{village.home.pk}/breaches", json.dumps(
        {"rule_id": rule.pk, "occurred_on": str(timezone.localdate()), "note": "乱堆放"}),
        content_type="application/json", **auth)
    assert answer.status_code == 201, answer.content
    listed = client.get(f"/api/v1/households/{village.home.pk}/breaches", **auth).json()
    assert listed["breaches_12m"] == 1 and listed["compliant"] is False
    revoked = client.post(f"/api/v1/households/breaches/{answer.json()['id']}/revoke", json.dumps({"reason": "误记"}),
                          content_type="application/json", **auth)
    assert revoked.status_code == 200 and revoked.json()["revoke_reason"] == "误记"
    refused = client.post(f"/api/v1/households/{village.across.pk}/breaches", json.dumps(
        {"rule_id": rule.pk, "occurred_on": str(timezone.localdate())}), content_type="application/json", **auth)
    assert refused.status_code in (403, 404)
    resident = client.get(f"/api/v1/households/{village.home.pk}/breaches", **bearer(village.street.resident))
    assert resident.status_code == 404


def test_the_api_lists_an_areas_rules_as_one_page(client, village, rule):
    listed = client.get("/api/v1/households/rules?node=C01&limit=10", **bearer(village.street.community_cadre))
    assert listed.status_code == 200
    body = listed.json()
    assert (body["count"], body["limit"], [each["code"] for each in body["items"]]) == (1, 10, ["litter"])
