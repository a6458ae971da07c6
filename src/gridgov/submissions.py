"""One double-submit guard for every POST: a double tap, a retry or an offline queue flushing twice does
the work once, and the repeat gets the first answer.

- **Pages**: every POST form carries ``{% form_token %}`` (a fresh random key, rendered beside the CSRF
  token). The first POST with a key is let through; a repeat is sent where the first one went (its redirect),
  with a message that nothing was done twice.
- **API**: a client may send ``Idempotency-Key: <1–64 printable characters>`` with any POST, PUT, PATCH or
  DELETE. The first request with a key runs; a repeat with the same body gets the first answer again (status
  and JSON), one with another body is refused (409 ``idempotency_conflict``).

The key is claimed by inserting a row under a unique constraint *before* the view runs, so of two concurrent
repeats exactly one runs and the other waits for nothing. A request that fails (4xx, 5xx, an exception) gives
its key back, so the corrected form or the retried call can go through; so does a page POST answered with the
form again (200): a page POST that did its work redirects. Keys are kept a day.

Money-like services keep their own idempotency keys as well (points grants, redemptions): this guard is the
seam every other POST shares, not a replacement for those.
"""

import hashlib
import json
import random
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import CODES
from gridgov.models import Submission

FORM_FIELD = "form_token"
HEADER = "Idempotency-Key"
KEEP = timedelta(days=1)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class DoubleSubmitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in UNSAFE:
            return self.get_response(request)
        is_api = request.path.startswith("/api/")
        claim = _claim(request, is_api)
        if claim is None:
            return self.get_response(request)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            response = self.get_response(request)
        except Exception:
            claim.delete()
            raise
        if _done(response, is_api):
            _remember(claim, response, is_api)
        else:
            claim.delete()  # nothing was done: the corrected form or a retry may use the key again
        return response


def _claim(request, is_api: bool):
    """The new row holding this request's key; a response for a repeat; None when the request carries no key."""
    key = request.headers.get(HEADER, "") if is_api else _form_key(request)
    if not key:
        return None
    if is_api and (len(key) > 64 or not key.isprintable()):
        return _api_error("invalid_request", _("The Idempotency-Key header holds 1 to 64 printable characters."))
    owner = _owner(request, is_api)
    if owner is None:
        return None  # not logged in: the view refuses the request anyway
    if is_api and _length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None  # too large for any endpoint: refused by the API with 413 before anything is done
    fingerprint = _fingerprint(request) if is_api else ""
    _forget_old()
    try:
        with transaction.atomic():
            return Submission.objects.create(owner=owner, key=key[:64], path=request.path[:255],
                                             fingerprint=fingerprint)
    except IntegrityError:
        first = Submission.objects.filter(owner=owner, key=key[:64]).first()
    if first is None:  # given back meanwhile (the first one failed): this one may run
        return _claim(request, is_api)
    return _replay_api(first, fingerprint) if is_api else _replay_page(request, first)


def _form_key(request) -> str:
    """The form's key. A multipart upload is parsed here as the view would parse it anyway, except one too large
    for any form, which its view refuses before reading it (the Excel import does)."""
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return ""
    if _length(request) > settings.IMPORT_MAX_BYTES:
        return ""
    value = request.POST.get(FORM_FIELD, "")
    return value if 0 < len(value) <= 64 and value.isalnum() else ""


def _fingerprint(request) -> str:
    """What makes two API requests the same request: the JSON body's digest (an upload: its length, so that a
    large file is never read into memory here)."""
    if request.content_type == "multipart/form-data":
        return f"multipart:{_length(request)}"
    return hashlib.sha256(request.body).hexdigest()


def _length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _owner(request, is_api: bool) -> str | None:
    if is_api:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def _done(response, is_api: bool) -> bool:
    """Whether the request did its work: an API answer in 2xx; a page that redirects (every page POST that does
    something redirects; one that answers 200 shows its form again with the reasons, having done nothing)."""
    if is_api:
        return 200 <= response.status_code < 300
    return 300 <= response.status_code < 400


def _remember(claim: Submission, response, is_api: bool) -> None:
    claim.status = response.status_code
    if is_api and response.get("Content-Type", "").startswith("application/json"):
        claim.body = response.content.decode()
    claim.location = response.get("Location", "")[:1000]
    claim.save(update_fields=["status", "body", "location"])


def _replay_page(request, first: Submission):
    messages.info(request, _("This was already sent; nothing was done twice."))
    if first.location:
        return HttpResponseRedirect(first.location)
    return HttpResponseRedirect(request.get_full_path())


def _replay_api(first: Submission, fingerprint: str):
    if first.fingerprint != fingerprint:
        return _api_error("idempotency_conflict",
                          _("This Idempotency-Key was already used for a different request."))
    if first.status is None:
        return _api_error("conflict", _("A request with this Idempotency-Key is still being handled; retry soon."))
    response = HttpResponse(first.body, status=first.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    if first.location:
        response["Location"] = first.location
    return response


def _api_error(code: str, message) -> HttpResponse:
    body = json.dumps({"code": code, "message": str(message)}, ensure_ascii=False)
    return HttpResponse(body, status=CODES[code].status, content_type="application/json")


def _forget_old() -> None:
    """Now and then, drop keys older than a day (a few rows per write, never a long delete)."""
    if random.random() < 0.02:
        old = Submission.objects.filter(created_at__lt=timezone.now() - KEEP).values_list("pk", flat=True)[:500]
        Submission.objects.filter(pk__in=list(old)).delete()
