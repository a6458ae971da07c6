"""The JSON API under /api/v1/: one NinjaAPI, bearer-token auth, errors as {"code", "message"}.

Each app adds a router in its own ``api.py``; this module mounts them and maps domain errors to stable codes.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from gridgov.orgs.models import ApiToken
from gridgov.orgs.permissions import PermissionDenied


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the request gets ``request.person``."""

    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("person")
            .filter(digest=ApiToken.digest_of(token), person__is_active=True)
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.person = row.person
        return row.person


api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="网格化基层治理平台 gridgov 的 JSON 接口。Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def error(request, status: int, code: str, message, **extra):
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error(request, 403, exc.code, exc.message)


@api.exception_handler(DjangoValidationError)
def on_domain_validation(request, exc):
    return error(request, 400, "invalid", " ".join(str(m) for m in exc.messages))


@api.exception_handler(NinjaValidationError)
def on_request_validation(request, exc):
    return error(request, 422, "invalid_request", "The request body or parameters are malformed.", errors=exc.errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "A valid bearer token is required.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return error(request, exc.status_code, getattr(exc, "code", "error"), exc.message)


def mount_routers() -> None:
    from gridgov.orgs.api import router as orgs_router

    api.add_router("/", orgs_router)


mount_routers()
