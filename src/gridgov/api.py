"""The JSON API under /api/v1/: one NinjaAPI, bearer-token auth, every error as ``ErrorOut``.

Each app adds a router in its own ``api.py``; this module mounts them and maps every failure, once, to a
JSON body ``{"code", "message"}`` with a stable ``code``, so a client never has to parse an HTML error
page. Refusals of the services are ``gridgov.errors.DomainError``s: their code fixes their status (the
table is ``gridgov.errors.CODES``, printed in ``docs/errors.md``). The transport codes are registered here.
"""

import functools
import json
import logging
import math
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import Q
from django.http import Http404
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from gridgov import logins
from gridgov.api_schemas import DEFAULT_LIMIT, MAX_LIMIT, ErrorOut, unstorable_text
from gridgov.context import current_request_id
from gridgov.errors import CODES, DomainError
from gridgov.orgs.models import ApiToken, Person
from gridgov.orgs.permissions import remember_assignments
from gridgov.sql import Compiled

logger = logging.getLogger(__name__)

class UnsupportedMediaType(Exception):
    pass


class MalformedValue(ValueError):
    """A value no schema should even see: NaN or Infinity in JSON, NUL or a lone surrogate in text."""


def _refuse_constant(name: str):
    raise MalformedValue(_("%(value)s is not a number JSON allows.") % {"value": name})


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # 1e999: JSON allows it, no column holds it
        _refuse_constant(text)
    return number


def _check_text(value) -> None:
    """Refuse text that no column can store (NUL) or no encoder can write (a lone surrogate), anywhere."""
    if isinstance(value, str):
        if unstorable_text(value):
            raise MalformedValue(_("Text may not contain NUL characters or unpaired surrogates."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


class JsonOnlyParser(Parser):
    """Bodies are JSON. A form or multipart body is refused with 415 rather than misread.

    Every string of a body, a query or a form is checked once here (``_check_text``), and JSON's
    non-standard ``NaN``/``Infinity`` are refused: no field of any schema has to remember either.
    """

    def parse_body(self, request):
        content_type = request.content_type or ""
        if content_type and content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(content_type)
        data = json.loads(request.body, parse_constant=_refuse_constant, parse_float=_finite)
        _check_text(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _check_text({key: value for key, value in result.items() if isinstance(value, (str, list))})
        return result


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


TOKEN_FIELDS = [field.attname for field in ApiToken._meta.concrete_fields]
PERSON_FIELDS = [field.attname for field in Person._meta.concrete_fields]
TOKEN_QUERY = Compiled(lambda digest: (
    ApiToken.objects.filter(Q(person__user__isnull=True) | Q(person__user__is_active=True), digest=digest,
                            person__is_active=True)
    .values_list(*TOKEN_FIELDS, *[f"person__{name}" for name in PERSON_FIELDS], "person__roles__role",
                 "person__roles__node_id", "person__roles__node__path")))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the request gets ``request.person`` and ``request.api_token``.

    The token, its person and the person's roles come in one query (a row per role), so the permission
    checks of the request read no more: every API call starts here, so its SQL is compiled once (``Compiled``).
    """

    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        rows = TOKEN_QUERY.rows(ApiToken.digest_of(token))
        if not rows:
            return None
        person = Person.from_db("default", PERSON_FIELDS, rows[0][len(TOKEN_FIELDS):-3])
        row = ApiToken.from_db("default", TOKEN_FIELDS, rows[0][:len(TOKEN_FIELDS)])
        row.person = person
        remember_assignments(person, [each[-3:] for each in rows if each[-3] is not None])  # None: no role at all
        now = timezone.now()
        # Record use at most once a minute: a write per read would serialise every API call on SQLite.
        if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.person = row.person
        request.api_token = row
        return row.person


class GridgovAPI(NinjaAPI):
    """NinjaAPI whose URLs also answer 404/405 in JSON, including paths no router knows, and whose
    OpenAPI document lists every operation's error responses (``document_errors``)."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _json_errors(pattern.callback)
        # Any path at all, line breaks included (``<path:…>`` stops at a newline, which then fell to the HTML 404).
        patterns.append(re_path(r"^(?P<rest>(?s:.+))$", _json_errors(_unknown_path), name="unknown"))
        return patterns

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


def document_errors(schema) -> None:
    """Add the refusals every operation of its kind can answer, and say which codes each status carries.

    Routers list their operations' own refusals (``gridgov.api_schemas.errors``); the ones that come
    from the transport are added here: 401 where a token is needed, 404 where the path names something,
    422 where there is input, 413 for any body and 415 for JSON bodies.
    """
    schema["components"]["schemas"].setdefault("ErrorOut", ErrorOut.model_json_schema())
    for methods in schema["paths"].values():
        for operation in methods.values():
            responses = operation["responses"]
            automatic = set()
            if operation.get("security"):
                automatic.add(401)
            parameters = operation.get("parameters", [])
            if any(parameter["in"] == "path" for parameter in parameters):
                automatic.add(404)
            if parameters or "requestBody" in operation:
                automatic.add(422)
            if "requestBody" in operation:
                automatic.add(413)
                if "application/json" in operation["requestBody"]["content"]:
                    automatic.add(415)
            for status in automatic:
                if status not in responses and str(status) not in responses:
                    responses[status] = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
            for status, response in responses.items():
                if response.get("content", {}).get("application/json", {}).get("schema") == ERROR_SCHEMA:
                    response["description"] = _codes_of(int(status))


def _codes_of(status: int) -> str:
    codes = sorted(name for name, code in CODES.items() if code.status == status)
    return f"Refused with `code` one of: {', '.join(f'`{code}`' for code in codes)}." if codes else "Refused."


api = GridgovAPI(
    title="gridgov API",
    version="1",
    description=(
        "网格化基层治理平台 gridgov 的 JSON 接口 (the JSON API of gridgov).\n\n"
        "Get a token with `POST /api/v1/auth/token` (JSON `{\"username\", \"password\"}`), then send "
        "`Authorization: Bearer <token>`. Every error is JSON `{\"code\": ..., \"message\": ...}` with a stable "
        "`code`, and a code always comes with the same status. Nodes outside your area answer `404 not_found`, "
        "exactly like unknown ones, so they cannot be probed.\n\n"
        "**Lists** all answer one shape, `{\"items\": [...], \"count\": N, \"limit\": L, \"offset\": O}`: "
        f"`count` is the number in all, `limit` is 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}) and `offset` skips "
        "that many.\n\n"
        "**Values** have documented ranges, checked before anything runs (422 `invalid_request`): ids are 1 to "
        "2⁵³−1, text longer than its limit is refused (never cut) and holds no control characters, a datetime "
        "without a UTC offset is read in Asia/Shanghai, dates lie within 2000 … 2099, JSON `NaN`/`Infinity` are "
        "refused. Business rules (a deadline in the future and at most 3 years ahead, say) are the services' "
        "refusals, with their own codes.\n\n"
        "The codes (every router adds its own):\n\n"
    ),
    auth=TokenAuth(),
    parser=JsonOnlyParser(),
    # Swagger UI from ninja's own static files ("ninja" is in INSTALLED_APPS); no online validator badge.
    docs=Swagger(settings={"validatorUrl": None}),
    urls_namespace="api",
)


def error(request, code: str, message, **extra):
    """The JSON error for ``code``, with the one status that code has (``gridgov.errors.CODES``); a 429 says in
    ``Retry-After`` how long to wait."""
    status = CODES[code].status
    response = api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)
    if status == 429:
        response["Retry-After"] = str(logins.retry_after(request))
    return response


def _json_errors(view):
    """Turn Django's plain 404 and ninja's plain-text 405 into JSON errors."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if any(isinstance(value, str) and unstorable_text(value) for value in kwargs.values()):
            return error(request, "not_found", _("Not found."))  # no code or slug holds such characters
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error(request, "not_found", _("There is no such API endpoint."))
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = error(request, "method_not_allowed", _("This method is not allowed here."), allowed=allowed)
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = True  # the API authenticates by bearer token, never by cookie
    return wrapped


def _unknown_path(request, rest):
    raise Http404


@api.exception_handler(DomainError)
def on_refusal(request, exc):
    """Every refusal of a service: its code, the status of that code, its message (and details, if any)."""
    return error(request, exc.code, exc.message, **exc.details)


@api.exception_handler(NinjaValidationError)
def on_request_validation(request, exc):
    return error(request, "invalid_request", _("The request body or parameters are malformed."),
                 errors=_plain(exc.errors))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, "unauthenticated", _("A valid bearer token is required."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, "not_found", str(exc) or _("Not found."))


@api.exception_handler(RequestDataTooBig)
def on_too_large(request, exc):
    return error(request, "too_large", _("The request body is too large."))


@api.exception_handler(MalformedValue)
def on_malformed_value(request, exc):
    return error(request, "invalid_request", str(exc))


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return error(request, "invalid_request", _("The request was refused as malformed."))


DEFAULT_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 429: "throttled"}


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return error(request, "unsupported_media_type", _("Send the body as application/json."))
    if isinstance(cause, MalformedValue):
        return error(request, "invalid_request", str(cause))
    if cause is not None and exc.status_code == 400:
        # ninja wraps any body that cannot be parsed (broken JSON, bad encoding) in a bare 400.
        return error(request, "invalid_request", _("The request body is not valid JSON."))
    code = DEFAULT_CODES.get(exc.status_code, "invalid_request")
    return error(request, code, exc.message)


# Defence in depth: these mean a check is missing somewhere, but the caller still deserves a 4xx.


@api.exception_handler(DjangoValidationError)
def on_model_validation(request, exc):
    """A model's or form's own validation that a service let through."""
    return error(request, "invalid", " ".join(str(m) for m in exc.messages))


@api.exception_handler(DjangoPermissionDenied)
def on_django_permission_denied(request, exc):
    return error(request, "forbidden", _("You may not do this here."))


@api.exception_handler(ObjectDoesNotExist)
def on_object_does_not_exist(request, exc):
    return error(request, "not_found", _("Not found."))


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc):
    """A concurrent request won the race for a unique value (a node code, say) between check and write."""
    logger.warning("Integrity error in API %s %s: %s", request.method, request.path, exc)
    return error(request, "conflict", _("This conflicts with data saved meanwhile; reload and try again."))


@api.exception_handler(DataError)
def on_data_error(request, exc):
    logger.warning("Data error in API %s %s: %s", request.method, request.path, exc)
    return error(request, "invalid_request", _("A value is too long or malformed."))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    """A bug. Log it and still answer JSON, with the request id to quote when reporting it."""
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    return error(request, "server_error", _("Something went wrong on our side; it has been logged."),
                 request_id=current_request_id())


def _plain(errors):
    """Pydantic error details as JSON-safe values (``ctx`` may hold exceptions)."""
    return json.loads(json.dumps(errors, default=str))


def codes_table() -> str:
    """Markdown table of every registered error code, for the OpenAPI description and docs/errors.md."""
    from django.utils import translation

    with translation.override("en"):
        rows = [f"| {code.status} | `{name}` | {code.meaning} |"
                for name, code in sorted(CODES.items(), key=lambda item: (item[1].status, item[0]))]
    return "| status | code | meaning |\n| --- | --- | --- |\n" + "\n".join(rows)


def mount_routers() -> None:
    from gridgov.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)
    api.add_router("/", "gridgov.ledger.api.router")
    api.add_router("/", "gridgov.tasks.api.router")
    api.add_router("/", "gridgov.rewards.api.router")
    api.add_router("/", "gridgov.reports.api.router")
    api.add_router("/", "gridgov.bookings.api.router")
    api.add_router("/", "gridgov.volunteers.api.router")
    api.add_router("/", "gridgov.volunteers.callout_api.router")
    api.add_router("/", "gridgov.households.api.router")
    api.add_router("/", "gridgov.households.patrol_api.router")
    api.add_router("/", "gridgov.households.rule_api.router")
    api.add_router("/", "gridgov.oversight.api.router")
    api.add_router("/", "gridgov.indices.api.router")
    api.add_router("/", "gridgov.geo.api.router")
    api.add_router("/", "gridgov.notifications.api.router")
    api.add_router("/", "gridgov.cockpit.api.router")


mount_routers()
api.description += codes_table()
