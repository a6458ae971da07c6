"""What every page view shares: the person behind the login, and refusals shown to people.

``person_of(request)`` is the one answer to "who is this": the active person linked to an active login,
or a 403 (``no_person``) page. The API's token check gives the same answer (``gridgov.api.TokenAuth``).

A service's refusal (``gridgov.errors.DomainError``) that a view does not handle itself reaches
``RefusalMiddleware``: a form POST goes back where it came from with the refusal as a message (the typed
input is gone then, so views whose forms can be refused keep it with ``refuse_in_form``); a GET renders
the error page with the refusal's status and message.

``page_of(request, rows)`` is the one pager: a page of ``rows`` (a queryset or a list) for ``?page=``, 50 rows a
page; the partial ``_pager.html`` (``{% pager page %}``) draws it.
"""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from gridgov.errors import DomainError, PermissionDenied, message_of
from gridgov.orgs.selectors import person_for_user

ERROR_TEMPLATES = {403: "403.html", 404: "404.html"}
PAGE_ROWS = 50  # a list drawn with a form or a card per row: the page, not the data, bounds its time (issue 18)


def person_of(request):
    """The active person behind ``request.user`` (read once per request), or a refusal."""
    if not hasattr(request, "_gridgov_person"):
        request._gridgov_person = person_for_user(request.user)
    if request._gridgov_person is None:
        raise PermissionDenied(_("Your login is not linked to an active person in the organisation tree."),
                               code="no_person")
    return request._gridgov_person


def page_of(request, rows, *, per_page: int = PAGE_ROWS) -> Page:
    """The page of ``rows`` (ordered) that ``?page=`` asks for: the first for a missing or garbage number, the
    last for one past the end (never an error), read with one count and one slice whatever the page."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def refuse_in_form(form, error: DomainError) -> None:
    """Show a refusal at the top of the form it answers, keeping what was typed."""
    form.add_error(None, message_of(error))


def run_action(request, action, *, success) -> bool:
    """Run ``action`` (a service call); say ``success``, or show its refusal as a message. (A repeated POST
    never gets here: ``gridgov.submissions``.)"""
    try:
        action()
    except DomainError as error:
        messages.error(request, message_of(error))
        return False
    messages.success(request, success)
    return True


def back_to(request, fallback: str):
    """Redirect to where the form was posted from (same site only), else to ``fallback``."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def declared_length(request) -> int:
    """The body length the request declares (0 if none or malformed): to refuse an upload before reading it."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RefusalMiddleware:
    """Refusals that escaped a page view become a message (POST) or an error page (GET)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if request.method == "POST" and exception.status < 500:
            messages.error(request, message_of(exception))
            return back_to(request, "/")
        template = ERROR_TEMPLATES.get(exception.status, "refused.html")
        return render(request, template, {"exception": message_of(exception), "status": exception.status},
                      status=exception.status)
