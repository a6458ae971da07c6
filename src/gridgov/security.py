"""Security at the boundary: which proxy to believe, and the headers every page carries.

Behind the reverse proxy the README recommends, every request arrives from the proxy's address. Only a
proxy named in ``GRIDGOV_TRUSTED_PROXIES`` is believed about the client (``X-Forwarded-For``) and the
scheme (``X-Forwarded-Proto``); from anyone else those headers are dropped before Django reads them, so
a client cannot spoof its address (and dodge the login lock-out) or pretend to be on HTTPS.

Pages get a Content-Security-Policy that runs only this site's own scripts and styles (no inline script,
no ``on*=`` attribute: ``static/gridgov/app.js`` binds the few behaviours), and ``Cache-Control:
no-store`` when someone is logged in, so a shared computer's back button or a proxy keeps no personal
page. Static assets and public pages keep their caching.
"""

import ipaddress
from functools import cache

from django.conf import settings

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED", "HTTP_X_REAL_IP")

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' blob:",  # blob: previews of the photos one is about to upload, made in the page
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
# What a page that is not ours needs, and only there. (The Django admin needs nothing more.)
POLICY_BY_PREFIX = {
    "/api/v1/docs": {"img-src": "'self' data:"},  # Swagger UI's stylesheet draws its icons from data: URIs
}
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"


@cache
def policy_for(path: str) -> str:
    directives = dict(POLICY)
    for prefix, extra in POLICY_BY_PREFIX.items():
        if path.startswith(prefix):
            directives.update(extra)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _networks():
    return settings.TRUSTED_PROXIES


def is_trusted_proxy(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks())


def client_address(request) -> str:
    """Who sent the request: ``REMOTE_ADDR``, or, when that is a trusted proxy, the nearest address in
    ``X-Forwarded-For`` that is not one (the proxy appends the address it saw; anything further left was
    written by the client and proves nothing)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: nothing left of it can be believed
        if not is_trusted_proxy(hop):
            return hop
    return remote


class ForwardedHeadersMiddleware:
    """First of all middleware: drop the forwarded headers of a request that did not come from a trusted proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response; ``no-store`` for logged-in ones.

    Placed after WhiteNoise, so static assets (served before this) keep their long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", policy_for(request.path))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _personal(request) and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


def _personal(request) -> bool:
    """A logged-in page, or an API call with a token: what the answer holds is someone's own."""
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or "HTTP_AUTHORIZATION" in request.META
