"""What every page view shares: the person behind the login, and refusals shown to people.

``person_of(request)`` is the one answer to "who is this": the active person linked to an active login,
or a 403 (``no_person``) page. The API's token check gives the same answer (``gridgov.api.TokenAuth``).

A service's refusal (``gridgov.errors.DomainError``) that a view does not handle itself reaches
``RefusalMiddleware``: a form POST goes back where it came from with the refusal as a message (the typed
input is gone then, so views whose forms can be refused keep it with ``refuse_in_form``); a GET renders
the error page with the refusal's status and message.

``page_of(request, rows)`` is the one pager: a page of ``rows`` (a queryset or a list) for ``?page=``, 50 rows a
page; the partial ``_pager.html`` (``{% pager page %}``) draws it. A queryset is counted only so far
(``BoundedPaginator``): a list longer than that says "more than 1000" and has no last page.
"""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from gridgov.errors import DomainError, PermissionDenied, message_of
from gridgov.orgs.selectors import person_for_user
from gridgov.sql import count_at_most

ERROR_TEMPLATES = {403: "403.html", 404: "404.html"}
PAGE_ROWS = 50  # a list drawn with a form or a card per row: the page, not the data, bounds its time (issue 18)
COUNT_AT_MOST = 1000  # rows a pager counts (at least up to the page asked): an area's overdue claims are unbounded
PAGES_AT_MOST = 10_000  # a page number beyond it bounds the count as this one does (500,000 rows at most)


def person_of(request):
    """The active person behind ``request.user`` (read once per request), or a refusal."""
    if not hasattr(request, "_gridgov_person"):
        request._gridgov_person = person_for_user(request.user)
    if request._gridgov_person is None:
        raise PermissionDenied(_("Your login is not linked to an active person in the organisation tree."),
                               code="no_person")
    return request._gridgov_person


class BoundedPaginator(Paginator):
    """A paginator whose count of a queryset stops after ``count_at_most`` rows (one ``COUNT(*)`` of a ``LIMIT``ed
    subquery), so a page costs the rows up to it, not the whole list (issue 18). Past the bound, ``counted_all`` is
    false and ``count`` is one more than ``count_at_most``: every page up to the bound is whole, the last of them
    links to the next, and there is no last page to show. A list (already in memory), or an object that is not a
    queryset and counts itself (``volunteers.selectors.OpenThenClosed``), is counted exactly."""

    def __init__(self, object_list, per_page, *, count_at_most: int):
        super().__init__(object_list, per_page)
        self.count_at_most = count_at_most

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):  # a list, or a list-like counting itself (``count()``)
            return super().count
        known = getattr(self.object_list, "counted", None)  # ``(rows, at most)`` counted already (``sql.area_first``)
        if known is not None and (known[0] <= known[1] or self.count_at_most <= known[1]):
            return min(known[0], self.count_at_most + 1)
        return count_at_most(self.object_list, self.count_at_most)

    @property
    def counted_all(self) -> bool:
        """Whether ``count`` is the list's length (else there are more than ``count_at_most`` rows)."""
        return self.count <= self.count_at_most

    def page(self, number) -> Page:
        """As ``Paginator.page``, reading a queryset's page by ``rows_first``."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        chunk = rows_first(rows, bottom, top) if isinstance(rows, QuerySet) else rows[bottom:top]
        return self._get_page(chunk, number, self)

    def get_page(self, number) -> Page:
        """As ``Paginator.get_page``; but a number past what was counted (garbage below 1, or too far) answers the
        last whole page counted, not the one row past the bound."""
        page = super().get_page(number)
        if not self.counted_all and page.number == self.num_pages and self.num_pages > 1:
            return self.page(self.num_pages - 1)
        return page


def rows_first(rows: QuerySet, bottom: int, top: int) -> QuerySet:
    """Rows ``bottom`` to ``top`` of ``rows`` (ordered, with related rows to join): the page's ids chosen first, on
    the table's own indexes, then joined (``WHERE id IN (50 ids)``). Joined before the limit, as a plain slice is,
    the planner expects the whole area's rows and hashes every person, task and node of the installation to join
    them (issue 18). The ids are read as a query of their own: handed over as a subquery, the planner still joined
    every row of the table before keeping the page's (a large street's bookings at a tenth of a province: 155 ms,
    then 5 ms). Rows with selected annotations (an ``alias`` to filter by is fine), ``extra``, ``distinct`` or no
    order are sliced as usual."""
    query = rows.query
    ordered_by_alias = any(isinstance(field, str) and field.lstrip("-") in query.annotations for field in query.order_by)
    if (not query.select_related or query.annotation_select or ordered_by_alias or query.extra or query.distinct
            or not rows.ordered or rows._fields is not None):
        return rows[bottom:top]
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    page = rows.model._default_manager.filter(pk__in=ids).order_by(*(query.order_by or rows.model._meta.ordering))
    page.query.select_related = query.select_related
    page.query.deferred_loading = query.deferred_loading  # only() / defer() kept
    return page.prefetch_related(*rows._prefetch_related_lookups)


def asked_page(request) -> int:
    """The page number ``?page=`` asks for, for bounding the count: 1 for a missing or garbage one."""
    value = request.GET.get("page", "")
    return min(int(value), PAGES_AT_MOST) if value.isdigit() and int(value) > 0 else 1


def page_of(request, rows, *, per_page: int = PAGE_ROWS) -> Page:
    """The page of ``rows`` (ordered) that ``?page=`` asks for: the first for a missing or garbage number, the
    last for one past the end (never an error), read with one bounded count and one slice. The count reaches
    ``COUNT_AT_MOST`` rows, or the end of the page asked if that is further (so that page is whole and knows
    whether another follows)."""
    bound = max(COUNT_AT_MOST, asked_page(request) * per_page)
    return BoundedPaginator(rows, per_page, count_at_most=bound).get_page(request.GET.get("page"))


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
