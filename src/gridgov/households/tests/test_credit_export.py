"""积分授信: consent records and the signed credit export (.json, .xlsx)."""

import json
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError, NotFound, PermissionDenied
from gridgov.households import credit, ranking
from gridgov.households.models import CreditConsent, VillageBoard
from gridgov.households.tests.test_api import bearer
from gridgov.households.tests.test_ranking_and_board import GOOD, POOR
from gridgov.ledger import checkpoints
from gridgov.spreadsheets import workbook_bytes

BANK = "泰隆银行"
GIVEN = date(2026, 1, 5)


def _consent(village, household, partner=BANK):
    return credit.consent_record(actor=village.street.community_cadre, household=household, partner=partner,
                                 given_on=GIVEN)


def _export(village, form="json", actor=None, partner=BANK):
    return credit.credit_export(actor=actor or village.street.community_cadre, node=village.street.community,
                                partner=partner, month=ranking.month_of(), form=form)


def test_the_json_export_lists_consenting_households_signed(village):
    VillageBoard.objects.create(node=village.street.community, red_count=1)
    ranking.inspection_record(actor=village.street.worker_a, household=village.home, scores=GOOD)
    ranking.inspection_record(actor=village.street.worker_a, household=village.next_door, scores=POOR)
    _consent(village, village.home)
    _consent(village, village.next_door)
    _consent(village, village.across, partner="别的银行")  # another partner's consent is not this export's
    document = _export(village).json_bytes()
    rows = json.loads(document)["payload"]["rows"]
    assert [(r["household"], r["standing"], r["village"]) for r in rows] == [("H-A1-01", "red", "C01"),
                                                                             ("H-A1-02", "black", "C01")]
    assert rows[0]["head"] == "周**家 · 1号" and "周居民" not in document.decode()
    key = checkpoints.log_verifier_key()
    assert json.loads(document)["verifier_key"] == key and credit.verify_json(document, key)
    changed = document.decode().replace('"points": 0', '"points": 900', 1).encode()
    assert changed != document and not credit.verify_json(changed, key)
    audit = AuditRecord.objects.filter(action="household.credit_export").get()
    assert audit.after["households"] == 2 and audit.after["sha256"] == json.loads(document)["sha256"]


def test_the_xlsx_export_carries_a_verifiable_signature_sheet(village):
    _consent(village, village.home)
    document = credit.xlsx_bytes(_export(village, form="xlsx"))
    key = checkpoints.log_verifier_key()
    assert credit.verify_xlsx(document, key)
    workbook = load_workbook(BytesIO(document))
    assert workbook["credit"].cell(row=7, column=1).value == "H-A1-01"
    workbook["credit"].cell(row=7, column=4).value = "999"
    assert not credit.verify_xlsx(workbook_bytes(workbook), key)


def test_without_or_after_revoked_consent_a_household_is_not_exported(village):
    consent = _consent(village, village.home)
    assert _consent(village, village.home).pk == consent.pk  # a repeat does not double
    assert [r["household"] for r in _export(village).payload["rows"]] == ["H-A1-01"]
    credit.consent_revoke(actor=village.street.community_cadre, consent=consent)
    assert _export(village).payload["rows"] == []
    assert AuditRecord.objects.filter(action__in=["household.credit_consent", "household.credit_revoke"]).count() == 2
    again = _consent(village, village.home)  # consent given anew after a revocation
    assert again.pk != consent.pk and CreditConsent.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("partner, given_on", [("", GIVEN), ("银" * 101, GIVEN), (BANK, date(2099, 1, 1)),
                                                (BANK, "2026-01-05")])
def test_bad_consents_are_refused_with_nothing_written(village, partner, given_on):
    with pytest.raises(DomainError):
        credit.consent_record(actor=village.street.community_cadre, household=village.home, partner=partner,
                              given_on=given_on)
    assert not CreditConsent.objects.exists() and not AuditRecord.objects.filter(
        action="household.credit_consent").exists()


def test_out_of_scope_actors_are_refused(village):
    street = village.street
    with pytest.raises(PermissionDenied):
        credit.consent_record(actor=street.village_cadre, household=village.home, partner=BANK, given_on=GIVEN)
    with pytest.raises(PermissionDenied):
        credit.credit_export(actor=street.village_cadre, node=street.community, partner=BANK,
                             month=ranking.month_of())
    with pytest.raises(PermissionDenied):
        credit.credit_export(actor=street.worker_a, node=street.community, partner=BANK, month=ranking.month_of())
    consent = _consent(village, village.home)
    with pytest.raises(NotFound):
        credit.consent_for(actor=street.village_cadre, pk=consent.pk)
    exports = AuditRecord.objects.filter(action="household.credit_export")
    assert exports.count() == 2 and set(exports.values_list("outcome", flat=True)) == {"denied"}


def test_the_api_records_revokes_and_exports(client, village):
    street = village.street
    headers = bearer(street.community_cadre)
    url = f"/api/v1/households/{village.home.pk}/credit-consents"
    body = {"partner": BANK, "given_on": "2026-01-05"}
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert client.post(url, {"partner": "", "given_on": "2026-01-05"}, content_type="application/json",
                       **headers).status_code == 400
    assert client.post(url, {"partner": BANK, "given_on": "soon"}, content_type="application/json",
                       **headers).status_code == 422
    assert CreditConsent.objects.count() == 1
    assert client.post(url, body, content_type="application/json", **bearer(street.village_cadre)).status_code == 404
    answer = client.get(f"/api/v1/households/credit-export?partner={BANK}&node=C01", **headers)
    assert answer.status_code == 200 and credit.verify_json(answer.content, checkpoints.log_verifier_key())
    xlsx = client.get(f"/api/v1/households/credit-export?partner={BANK}&form=xlsx", **headers)
    assert xlsx.status_code == 200 and credit.verify_xlsx(xlsx.content, checkpoints.log_verifier_key())
    for query in ("partner=", f"partner={BANK}&form=pdf", f"partner={BANK}&month=2026-13", "node=C01"):
        assert client.get(f"/api/v1/households/credit-export?{query}", **headers).status_code in (400, 422)
    assert client.get(f"/api/v1/households/credit-export?partner={BANK}&node=V01", **headers).status_code == 404
    assert client.get(f"/api/v1/households/credit-export?partner={BANK}",
                      **bearer(street.worker_a)).status_code == 403
    revoke = client.post(f"/api/v1/households/credit-consents/{first.json()['id']}/revoke", **headers)
    assert revoke.status_code == 200 and revoke.json()["revoked"] is True
    assert client.post(f"/api/v1/households/credit-consents/{first.json()['id']}/revoke",
                       **bearer(street.village_cadre)).status_code == 404


def test_the_page_records_revokes_and_downloads(client, village):
    street = village.street
    client.force_login(street.community_cadre.user)
    assert client.get("/households/credit/").status_code == 200
    bad = client.post("/households/credit/", {"household": "H-NONE", "partner": BANK, "given_on": "2026-01-05"})
    assert bad.status_code == 400 and not CreditConsent.objects.exists()
    done = client.post("/households/credit/", {"household": "H-A1-01", "partner": BANK, "given_on": "2026-01-05"})
    assert done.status_code == 302 and CreditConsent.objects.count() == 1
    page = client.get("/households/credit/")
    assert BANK in page.content.decode() and "H-A1-01" in page.content.decode()
    download = client.get(f"/households/credit/export/?partner={BANK}&form=xlsx")
    assert download.status_code == 200 and credit.verify_xlsx(download.content, checkpoints.log_verifier_key())
    consent = CreditConsent.objects.get()
    assert client.post(f"/households/credit/{consent.pk}/revoke/").status_code == 302
    assert CreditConsent.objects.get().revoked_at is not None
    client.force_login(street.worker_a.user)
    assert client.get("/households/credit/").status_code == 403


def _tokens(page) -> list[str]:
    """The one-time key of each POST form on the page, in order (``{% form_token %}``); every form carries one."""
    html = page.content.decode()
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    keys = [re.search(r'name="form_token" value="([0-9a-f]+)"', form) for form in forms]
    assert forms and all(keys), "a POST form of the credit page carries no form_token"
    return [key.group(1) for key in keys]


def test_a_double_submitted_consent_or_revoke_on_the_page_does_its_work_once(client, village):
    client.force_login(village.street.community_cadre.user)
    fields = {"household": "H-A1-01", "partner": BANK, "given_on": "2026-01-05"}
    [consent_key] = _tokens(client.get("/households/credit/"))
    for _ in range(2):  # a double tap
        assert client.post("/households/credit/", {**fields, "form_token": consent_key}).status_code == 302
    consent = CreditConsent.objects.get()
    assert AuditRecord.objects.filter(action="household.credit_consent").count() == 1
    _consent_form, revoke_key = _tokens(client.get("/households/credit/"))
    for _ in range(2):
        assert client.post(f"/households/credit/{consent.pk}/revoke/", {"form_token": revoke_key}).status_code == 302
    assert AuditRecord.objects.filter(action="household.credit_revoke").count() == 1
    # the first consent's submission replayed later (an offline queue flushing again) does not give consent anew
    client.post("/households/credit/", {**fields, "form_token": consent_key})
    assert CreditConsent.objects.count() == 1 and CreditConsent.objects.get().revoked_at is not None
