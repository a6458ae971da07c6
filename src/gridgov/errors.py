"""One error contract for every refusal: ``DomainError(message, code=...)``, with one HTTP status per code.

A service refuses by raising a subclass of ``DomainError``; its ``code`` is stable (clients switch on it)
and its ``message`` is for people (translated). The API turns every ``DomainError`` into
``{"code", "message"}`` with the status of its code (``gridgov.api``), pages turn it into a message next to
the form or at the top of the page (``gridgov.pages``): nobody else maps errors.

A code means one status everywhere. The status comes from ``CODES``, the one table of all codes, which
apps extend with ``register_codes`` (for their own codes) and which ``docs/errors.md`` prints: a test
keeps the two equal. Raising an unregistered code is a bug and fails loudly, as an unknown permission
action does.

This module is foundation: every app may import it, it imports none of them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Code:
    status: int
    meaning: str  # for the API documentation (English; may be a lazy translation)


CODES: dict[str, Code] = {}


def register_codes(codes: dict) -> None:
    """Declare codes as ``{code: (status, meaning)}``. Declaring a code twice must agree on its status;
    the first meaning stays."""
    for code, (status, meaning) in codes.items():
        known = CODES.get(code)
        if known is not None and known.status != status:
            raise ValueError(f"error code {code!r} is already registered with status {known.status}")
        if known is None:
            CODES[code] = Code(status, meaning)


register_codes({
    "invalid": (400, "The request breaks a business rule; the message says which."),
    "forbidden": (403, "The thing is visible to you, the action is not yours (role or area)."),
    "no_person": (403, "This login belongs to no active person, or it is switched off."),
    "out_of_scope": (403, "The thing lies outside your area (a task not published to it, a member elsewhere)."),
    "not_found": (404, "No such thing, or it lies outside your area (we do not say which)."),
    "conflict": (409, "A concurrent change won, or the thing is not in a state that allows this."),
    "invalid_period": (400, "A period is written as YYYY-MM (a month), YYYY-Qn or YYYY, and must exist."),
    "invalid_location": (400, "The latitude and longitude are not a valid pair of numbers in range."),
    "invalid_state": (409, "The item is not in a state where this can happen (e.g. audited twice)."),
    "idempotency_conflict": (409, "The idempotency key was used before for a different request."),
    "gone": (410, "The thing existed but has expired."),
    "unauthenticated": (401, "No bearer token, or an unknown or revoked one."),
    "method_not_allowed": (405, "The path exists, the method does not."),
    "too_large": (413, "The body is over the upload limit."),
    "unsupported_media_type": (415, "Bodies must be application/json (multipart where an endpoint says so)."),
    "invalid_request": (422, "Malformed JSON, missing fields, wrong types or values out of range."),
    "throttled": (429, "Too many requests."),
    "server_error": (500, "A bug: logged, and answered in JSON all the same, with a request id."),
    "photo_type": (400, "The file is not a readable JPEG, PNG or WebP photo."),
    "photo_too_large": (400, "The photo is over the size or pixel limit."),
})


class DomainError(Exception):
    """A refusal with a stable ``code`` and a message for people. Subclasses set the default code."""

    code = "invalid"
    default_message = _("This cannot be done.")

    def __init__(self, message=None, *, code: str | None = None, **details):
        self.code = code or type(self).code
        if self.code not in CODES:
            raise ValueError(f"unregistered error code {self.code!r} (gridgov.errors.register_codes)")
        self.message = message if message is not None else self.default_message
        self.details = details  # extra JSON-safe fields for the API body (e.g. ``errors`` per row)
        super().__init__(str(self.message))

    @property
    def status(self) -> int:
        return CODES[self.code].status


class Invalid(DomainError):
    """The request is understood but breaks a rule (a missing title, an amount out of range)."""

    code = "invalid"


class PermissionDenied(DomainError):
    """The actor may not do this here: outside their role or their area."""

    code = "forbidden"
    default_message = _("You may not do this here: it is outside your role or your area.")


class NotFound(DomainError):
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """Well-formed, but cannot be done now: full, expired, repeated, or changed meanwhile."""

    code = "conflict"


def refusal(code: str, message=None) -> DomainError:
    """The refusal for ``code``, of the class its status stands for: ``except PermissionDenied`` catches
    every 403, whichever code it carries."""
    kind = {403: PermissionDenied, 404: NotFound, 409: Conflict}.get(CODES[code].status, Invalid)
    return kind(message, code=code)


def message_of(error: Exception) -> str:
    """The people's text of a refusal (a DomainError, or a Django ValidationError from a form or model)."""
    if isinstance(error, DomainError):
        return str(error.message)
    messages = getattr(error, "messages", None)
    return " ".join(str(message) for message in messages) if messages else str(error)
