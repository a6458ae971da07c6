"""Per-request context: a request id carried into every audit record and echoed to the client."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Tag each request with an id (the caller's X-Request-ID when it is sane) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if 0 < len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response
