"""Read-heavy pages read from a streaming replica; everything else, and every writer, reads the primary.

With ``GRIDGOV_REPLICA_URL`` set (a PostgreSQL hot standby of ``GRIDGOV_DATABASE_URL``), the database alias
``replica`` exists and ``ReplicaRouter`` is installed. A view marked ``@replica_reads`` (the cockpit, the map's
data, index rankings, year-end exports: pages that read much and write at most an audit record) then reads from
the replica, unless

- the request is not a GET or HEAD,
- the person wrote something in the last ``GRIDGOV_REPLICA_LAG_SECONDS`` (10 by default: any POST, PUT, PATCH or
  DELETE sets a short-lived cookie), so they see their own writes even while the replica lags behind, or
- the read runs inside a transaction on the primary (a read that decides a write reads what it will change).

Writes always go to the primary. Without a replica the router is not installed and nothing here does anything.
This module is foundation, like ``gridgov.errors``: apps import it, it imports none of them.
"""

import time
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"
WROTE_COOKIE = "gridgov_wrote"
SAFE_METHODS = ("GET", "HEAD")
# Who is asking is always read from the primary: a session or a password change must not lag behind.
PRIMARY_ONLY = {"sessions", "auth", "axes"}
_reading_replica: ContextVar[bool] = ContextVar("gridgov_reading_replica", default=False)


def replica_reads(view):
    """Mark ``view`` as one whose reads may come from the replica (see the module's rules)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_read_replica(request):
            return view(request, *args, **kwargs)
        token = _reading_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped


def may_read_replica(request) -> bool:
    if REPLICA not in settings.DATABASES or request.method not in SAFE_METHODS:
        return False
    try:
        wrote_at = float(request.COOKIES.get(WROTE_COOKIE, "0"))
    except ValueError:
        wrote_at = 0.0
    return time.time() - wrote_at >= settings.REPLICA_LAG_SECONDS


class ReplicaRouter:
    """Reads of a ``@replica_reads`` view go to the replica; all else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY:
            return "default"
        if _reading_replica.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, first, second, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"  # the replica follows the primary's WAL, migrations included


class WroteRecentlyMiddleware:
    """After any request that may write, tell this browser to read the primary for a while (read-your-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if REPLICA in settings.DATABASES and request.method not in SAFE_METHODS:
            response.set_cookie(WROTE_COOKIE, f"{time.time():.3f}", max_age=settings.REPLICA_LAG_SECONDS,
                                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
