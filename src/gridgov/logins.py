"""Failed logins: the address is locked, the username only slowed. The same rules hold for the login page,
the admin's login and ``POST /api/v1/auth/token``, which all go through Django's ``authenticate``.

django-axes counts failures by client address (``gridgov.security.client_address``: behind a trusted proxy,
the client rather than the proxy). After ``AXES_FAILURE_LIMIT`` failures from one address, that address may
not log in at all for ``AXES_COOLOFF_TIME``. Locking by username instead would let anyone lock anyone out
with a few wrong passwords; locking the address only ever locks the guesser.

A username that keeps failing, from however many addresses (a guesser with many of them), is slowed, not
locked: once it has ``LOGIN_SLOW_AFTER`` failures within the cool-off time, an address that has itself failed
recently must wait before trying that username again, a delay that doubles with each failure up to
``LOGIN_SLOW_MAX_SECONDS``. An address with no recent failure is not slowed, so the owner logging in from
their own phone with the right password gets in while someone else is guessing. A successful login
forgives the failures of that username from that address (the owner's own typos), not that address's
failures against other usernames.
"""

import math
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.conf import settings  # Django's settings, with the defaults of axes filled in
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class LoginGuardBackend(AxesStandaloneBackend):
    """First of the authentication backends: refuses a locked address (axes), then a slowed username.

    A slowed attempt is refused like a locked one (``request.axes_locked_out``: the page answers with
    ``lockout_response``, the API with ``429 locked_out``) before the password is checked, and is not
    counted as another failure.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username=username, password=password, **kwargs)
        if not settings.AXES_ENABLED:
            return None
        if wait := username_wait(request, username):
            request.axes_locked_out = True
            request.login_wait_seconds = wait
            raise AxesBackendPermissionDenied("this username is slowed after repeated failures")
        return None


def username_wait(request, username) -> int:
    """Whole seconds before ``username`` may be tried again from this request's address; 0 for now."""
    if not username:
        return 0
    AxesProxyHandler.update_request(request)
    now = timezone.now()
    since = now - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    failed = recent.filter(username=username).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures = failed["failures"] or 0
    if failures < settings.LOGIN_SLOW_AFTER:
        return 0
    if not recent.filter(ip_address=request.axes_ip_address).exists():
        return 0  # an address without failures of its own is not slowed
    delay = min(2 ** (failures - settings.LOGIN_SLOW_AFTER), settings.LOGIN_SLOW_MAX_SECONDS)
    return max(0, math.ceil((failed["last"] + timedelta(seconds=delay) - now).total_seconds()))


def forgive_own_failures(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the username's failures from this address are forgiven (``AXES_RESET_ON_SUCCESS`` is
    off, because it would forgive everything the address did, guesses at other usernames included)."""
    if request is None or not settings.AXES_ENABLED:
        return
    AxesProxyHandler.update_request(request)
    AccessAttempt.objects.filter(username=user.get_username(), ip_address=request.axes_ip_address).delete()


def retry_after(request) -> int:
    """Seconds a refused login should wait: the slowed username's wait, else the lock-out's cool-off."""
    return getattr(request, "login_wait_seconds", 0) or int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the page that says how long to wait (429, with ``Retry-After``)."""
    wait = getattr(request, "login_wait_seconds", 0)
    cooloff = settings.AXES_COOLOFF_TIME
    context = {"wait_seconds": wait, "cooloff_minutes": int(cooloff.total_seconds() // 60),
               "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(retry_after(request))
    return response
