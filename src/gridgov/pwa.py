"""The installable phone app: its manifest, its service worker and the page it shows when nothing is cached.

Workers in mountain villages lose the signal for hours. The service worker (``static/gridgov/sw.js``, served
at ``/sw.js`` so that its scope is the whole site) keeps the app's shell and the pages a person opened
readable offline; ``static/gridgov/offline.js`` keeps the forms they send meanwhile and sends them later.

Pages are cached per login: every answer to a logged-in request names its session in ``X-Gridgov-Viewer``
(a keyed digest of the session key, not the key), and the worker forgets every cached page as soon as an
answer names another session or none (logged out, expired, someone else logged in). So a phone passed to
someone else never shows the last person's pages.

The cache's name carries a digest of every static file, so an upgrade that changes any of them changes
``/sw.js`` too: the browser installs the new worker, which fills a new cache and drops the old one.
"""

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

VIEWER_HEADER = "X-Gridgov-Viewer"
BRAND_RED = "#b3261e"  # --red in static/gridgov/app.css
ICONS = [  # (file under static/gridgov/icons/, size, purpose)
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("icon-maskable-512.png", 512, "maskable"),
]
# What every page needs to open without the network (the pages themselves are cached as they are visited).
SHELL_STATIC = ["gridgov/app.css", "gridgov/app.js", "gridgov/offline.js", "gridgov/icons.svg", "htmx/htmx.min.js",
                "gridgov/icons/icon-192.png", "gridgov/icons/apple-touch-icon.png"]
SHELL_VIEWS = ["pwa_manifest", "pwa_offline", "javascript-catalog"]


def manifest(request):
    body = {
        "id": "/",
        "name": "网格治理 gridgov",
        "short_name": "网格治理",
        "description": _("Grid-based grassroots governance: tasks, points, reports."),
        "lang": "zh-Hans" if get_language() == "zh-hans" else get_language(),
        "dir": "ltr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": BRAND_RED,
        "background_color": BRAND_RED,
        "icons": [{"src": static(f"gridgov/icons/{name}"), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": purpose} for name, size, purpose in ICONS],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1),
                            content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def service_worker(request):
    """``static/gridgov/sw.js`` with its settings in front: the cache version and the addresses it needs."""
    settings = {
        "version": static_version(),
        "shell": [static(path) for path in SHELL_STATIC] + [reverse(name) for name in SHELL_VIEWS],
        "offline": reverse("pwa_offline"),
        "outbox": static("gridgov/offline.js"),
        "static": static(""),
        "catalog": reverse("javascript-catalog"),
        "logout": reverse("logout"),
        "login": reverse("login"),
        "viewerHeader": VIEWER_HEADER,
        "notCached": ["/api/", "/admin/", reverse("login"), reverse("logout"), "/i18n/", "/media/"],
    }
    script = f"self.GRIDGOV_SW = {json.dumps(settings)};\n" + _worker_source()
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser asks again on each visit, and so finds an upgrade
    response["Service-Worker-Allowed"] = "/"
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the app's icon."""
    return HttpResponsePermanentRedirect(static("gridgov/icons/icon-192.png"))


def offline(request):
    """Shown by the service worker for a page that was never opened while online. It names nobody, so it may be
    cached for every login; offline.js on it lists the pages this phone keeps and what waits to be sent."""
    return render(request, "pwa/offline.html")


@cache
def _worker_source() -> str:
    return _read("gridgov/sw.js").decode()


@cache
def static_version() -> str:
    """A digest of every static file the site serves: it changes when any of them does."""
    digest = hashlib.sha256()
    seen = set()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if path in seen:  # the first finder's file is the one served
                continue
            seen.add(path)
            with storage.open(path) as file:
                digest.update(path.encode() + b"\0" + hashlib.sha256(file.read()).digest())
    return digest.hexdigest()[:16]


def _read(path: str) -> bytes:
    with open(finders.find(path), "rb") as file:
        return file.read()


def viewer_of(request) -> str:
    """Which login a cached page belongs to: a keyed digest of the session key ("" when nobody is logged in)."""
    user = getattr(request, "user", None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not (user is not None and user.is_authenticated and session_key):
        return ""
    return salted_hmac("gridgov.pwa.viewer", session_key).hexdigest()[:24]


class ViewerHeaderMiddleware:
    """Name the session on every answer to a logged-in request (after the session and the login are known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        viewer = viewer_of(request)
        if viewer:
            response[VIEWER_HEADER] = viewer
        return response
