"""积分授信: a household's consent to share its standing with a partner bank, and the signed export for the bank.

A cadre records a household's consent (for one partner by name) and may revoke it; both audited. The export lists,
for the households of a node in the actor's area with an open consent for the partner: household code, the head
masked as the village board masks, the members' governance points of the month (the ranking's aggregate) and the
household's place on its village's red/black list that month, and its village-rule compliance (村规民约: the
breaches standing in the last 12 months, and whether there are none). Households without an open consent never
appear.

Both forms are signed with the installation's Ed25519 key (``ledger.checkpoints.log_key``):
- .json: ``{"payload", "sha256", "signature", "verifier_key"}``; the signature is over the payload's canonical bytes
  (``canonical``: sorted keys, compact, UTF-8), the verifier key is the note verifier key of the public key.
- .xlsx: sheet 1 holds the rows; sheet 2 the SHA-256 of the canonical bytes of sheet 1's cell texts, the signature
  over those bytes and the verifier key. ``verify_json`` / ``verify_xlsx`` check either with the public key.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gridgov.audit.services import audit_record
from gridgov.errors import Invalid, NotFound
from gridgov.households import ranking, rules
from gridgov.households.models import CreditConsent, Household, NameDisplay
from gridgov.households.villages import VILLAGE_KINDS
from gridgov.ledger import checkpoints, notes
from gridgov.limits import check_date, text_within
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require, role_paths
from gridgov.orgs.tree import ancestor_paths, under
from gridgov.spreadsheets import workbook_bytes

MAX_PARTNER = CreditConsent._meta.get_field("partner").max_length
COLUMNS = ["household", "head", "village", "points", "standing", "breaches_12m", "compliant"]


def _partner(text) -> str:
    partner = text_within(text if isinstance(text, str) else "", limit=MAX_PARTNER, label=_("The partner"))
    if not partner:
        raise Invalid(_("Name the bank or partner the household consents to."))
    return partner


def consent_record(*, actor, household: Household, partner: str, given_on, now=None) -> CreditConsent:
    """Record ``household``'s consent for ``partner``; an open consent for the same partner is returned as it is
    (a repeated submission does not double)."""
    grant = require(actor, "household.credit_consent", household)
    now = now or timezone.now()
    partner = _partner(partner)
    given_on = check_date(given_on, label=_("The day consent was given"), past=True)
    open_ = CreditConsent.objects.filter(household=household, partner=partner, revoked_at__isnull=True).first()
    if open_ is not None:
        return open_
    try:
        with transaction.atomic():
            consent = CreditConsent.objects.create(household=household, partner=partner, given_on=given_on,
                                                   recorded_by=actor, recorded_at=now)
            audit_record(actor=actor, role=grant.role, action="household.credit_consent", target=household,
                         after={"partner": partner, "given_on": given_on})
    except IntegrityError:  # a concurrent identical submission won
        return CreditConsent.objects.get(household=household, partner=partner, revoked_at__isnull=True)
    return consent


def consent_revoke(*, actor, consent: CreditConsent, now=None) -> CreditConsent:
    grant = require(actor, "household.credit_consent", consent.household)
    with transaction.atomic():
        consent = CreditConsent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_at is not None:
            return consent
        consent.revoked_at, consent.revoked_by = now or timezone.now(), actor
        consent.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, role=grant.role, action="household.credit_revoke", target=consent.household,
                     before={"partner": consent.partner, "given_on": consent.given_on}, after=None)
    return consent


def consents_in_area(actor, node: Node | None = None):
    rows = CreditConsent.objects.filter(under(role_paths(actor, "household.credit_consent"), "household__node__path"))
    if node is not None:
        rows = rows.filter(household__node__path__startswith=node.path)
    return rows.select_related("household", "recorded_by")


def consent_for(*, actor, pk) -> CreditConsent:
    consent = consents_in_area(actor).filter(pk=pk).first()
    if consent is None:
        raise NotFound()
    return consent


@dataclass
class Export:
    payload: dict
    canonical: bytes
    sha256: str
    signature: str
    verifier_key: str

    def json_bytes(self) -> bytes:
        return json.dumps({"payload": self.payload, "sha256": self.sha256, "signature": self.signature,
                           "verifier_key": self.verifier_key}, ensure_ascii=False, indent=1).encode()


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sign(data: bytes) -> tuple[str, str]:
    key = checkpoints.log_key()
    return base64.b64encode(key.sign(data)).decode(), checkpoints.log_verifier_key()


def export_rows(*, node: Node, partner: str, month: date) -> list[dict]:
    consenting = (Household.objects.filter(node__path__startswith=node.path, credit_consents__partner=partner,
                                           credit_consents__revoked_at__isnull=True)
                  .select_related("node").distinct().order_by("node__path", "code"))
    households = list(consenting)
    breaches = rules.breach_counts([h.pk for h in households])
    rows = ranking.with_heads_and_points(
        [ranking.Ranked(0, h.pk, h.house_number, 0, head_name="") for h in households], month)
    villages = {village.path: village for village in Node.objects.filter(
        kind__in=VILLAGE_KINDS, path__in={p for h in households for p in ancestor_paths(h.node.path)})}
    standing = {}
    for village in villages.values():
        red, black = ranking.red_and_black(node=village, month=month)
        standing.update({row.household_id: "black" for row in black})
        standing.update({row.household_id: "red" for row in red})
    out = []
    for household, row in zip(households, rows, strict=True):
        village = next((villages[p] for p in ancestor_paths(household.node.path) if p in villages), None)
        out.append({"household": household.code, "head": row.shown(NameDisplay.MASKED),
                    "village": village.code if village else "", "points": row.points,
                    "standing": standing.get(household.pk, ""), "breaches_12m": breaches.get(household.pk, 0),
                    "compliant": not breaches.get(household.pk, 0)})
    return out


def credit_export(*, actor, node: Node, partner: str, month: date, form: str = "json", now=None) -> Export:
    """The signed export of ``node``'s consenting households for ``partner``; audited (who, what, the hash)."""
    grant = require(actor, "household.credit_export", node)
    partner = _partner(partner)
    if form not in ("json", "xlsx"):
        raise Invalid(_("The export is .json or .xlsx."))
    now = now or timezone.now()
    rows = export_rows(node=node, partner=partner, month=month)
    payload = {"origin": settings.LEDGER_ORIGIN, "partner": partner, "node": node.code, "month": f"{month:%Y-%m}",
               "generated_at": now.isoformat(timespec="seconds"), "columns": COLUMNS, "rows": rows}
    data = canonical(payload) if form == "json" else canonical(_sheet_rows(payload))
    signature, verifier = _sign(data)
    export = Export(payload, data, hashlib.sha256(data).hexdigest(), signature, verifier)
    audit_record(actor=actor, role=grant.role, action="household.credit_export", target=node,
                 after={"partner": partner, "month": payload["month"], "form": form, "households": len(rows),
                        "sha256": export.sha256})
    return export


def _sheet_rows(payload: dict) -> list[list[str]]:
    head = [["origin", payload["origin"]], ["partner", payload["partner"]], ["node", payload["node"]],
            ["month", payload["month"]], ["generated_at", payload["generated_at"]], payload["columns"]]
    lines = head + [[str(row[column]) for column in payload["columns"]] for row in payload["rows"]]
    return [line + [""] * (len(COLUMNS) - len(line)) for line in lines]


def xlsx_bytes(export: Export) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "credit"
    for line in _sheet_rows(export.payload):
        sheet.append(line)
    signed = workbook.create_sheet("signature")
    for line in (["sha256", export.sha256], ["signature", export.signature], ["verifier_key", export.verifier_key],
                 ["scheme", "Ed25519 over the canonical JSON (sorted, compact, UTF-8) of sheet 1's cell texts"]):
        signed.append(line)
    return workbook_bytes(workbook)


def _verify(data: bytes, signature: str, verifier_key: str) -> bool:
    try:
        _name, _hash, public = notes.parse_verifier_key(verifier_key)
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature), data)
    except (notes.NoteError, InvalidSignature, ValueError):
        return False
    return True


def verify_json(document: bytes, verifier_key: str) -> bool:
    """Whether a .json export is intact and signed by ``verifier_key``."""
    parsed = json.loads(document)
    return _verify(canonical(parsed["payload"]), parsed["signature"], verifier_key)


def verify_xlsx(document: bytes, verifier_key: str) -> bool:
    """Whether an .xlsx export's rows are intact and signed by ``verifier_key``."""
    workbook = load_workbook(BytesIO(document), read_only=True)
    rows = [(["" if cell is None else str(cell) for cell in row] + [""] * len(COLUMNS))[:len(COLUMNS)]
            for row in workbook["credit"].iter_rows(values_only=True)]
    fields = {row[0]: row[1] for row in workbook["signature"].iter_rows(values_only=True)}
    return _verify(canonical(rows), fields.get("signature") or "", verifier_key)
