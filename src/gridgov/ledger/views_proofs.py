"""Pages of verifiable points: my proof bundle (download or QR code) and the offline verifier. Thin views."""

import json

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.errors import DomainError, message_of
from gridgov.ledger import checkpoints, proofs, selectors
from gridgov.ledger.forms import StatementFilter
from gridgov.pages import person_of


def _period(request) -> str | None:
    filters = StatementFilter(request.GET or None)
    return (filters.cleaned_data.get("period") or None) if filters.is_valid() else None


def proof_context(person) -> dict:
    """What "my points" shows of the proofs: the latest checkpoint, its witnesses, the installation's key."""
    checkpoint = selectors.latest_checkpoint()
    return {"checkpoint": checkpoint, "witnesses": list(checkpoint.cosignatures.all()) if checkpoint else [],
            "log_key": checkpoints.log_verifier_key()}


@login_required
def proof_download(request):
    person = person_of(request)
    try:
        bundle = proofs.person_bundle(person=person, period=_period(request))
    except DomainError as error:
        return render(request, "ledger/proof_qr.html", {"error": message_of(error)}, status=error.status)
    response = HttpResponse(json.dumps(bundle, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="points-proof-{bundle["period"] or "all"}.json"'
    return response


@login_required
def proof_qr(request):
    """The proof of my latest posting as a QR code (a whole month rarely fits in one)."""
    person = person_of(request)
    context = {"error": None, "qr_svg": None}
    try:
        bundle = proofs.person_bundle(person=person, latest=1)
    except DomainError as error:
        context["error"] = message_of(error)
        return render(request, "ledger/proof_qr.html", context, status=error.status)
    if not bundle["postings"]:
        context["error"] = _("You have no postings in the latest checkpoint yet.")
    else:
        text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
        try:
            context["qr_svg"] = segno.make(text, error="l").svg_inline(scale=3, border=2, omitsize=True)
        except segno.DataOverflowError:
            context["error"] = _("The proof is too long for one QR code; download it instead.")
        context["posting"] = json.loads(bundle["postings"][0]["entry"])[0]
    return render(request, "ledger/proof_qr.html", context)


def verifier_page(request):
    """Checks a bundle in the browser: no login, no request to the server (``static/ledger/verify.js``)."""
    words = {
        "ok": _("Proved"), "failed": _("Failed"), "postings": _("postings of account"), "points": _("points"),
        "size": _("in the ledger at size"), "witnesses": _("witness signatures"),
        "signatureChecked": _("signatures checked in the browser"),
        "signatureNotChecked": _("this browser cannot check Ed25519 signatures: check them with "
                                 "gridgov ledger check-proof"),
        "notJson": _("the file is not a proof"), "badProof": _("an inclusion proof fails"),
        "badSignature": _("a signature does not verify"), "badKey": _("the key does not match"),
        "badEntry": _("a posting is malformed or not of this account"), "badCheckpoint": _("the checkpoint is malformed"),
    }
    return render(request, "ledger/verifier.html", {"log_key": checkpoints.log_verifier_key(), "words": words})
