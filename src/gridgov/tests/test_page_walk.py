"""A page walk that tests itself: every demo login opens its home page and follows every same-site link.

On the seeded demo street (one seeding for the module, rolled back at the end), each login starts at the
home page and follows, breadth first, every link (``href`` and htmx ``hx-get``) that points into the site,
GET only. A page must open for the person it is offered to: the walk fails on any server error and on any
link that answers 403 (or sends back to the login page) to the login that was shown it. Breadth is bounded
per route (a route with the same query keys: ``/tree/<code>/`` has hundreds of addresses): at most
``OPENED_PER_ROUTE`` addresses are opened and ``READ_PER_ROUTE`` of them read for more links; and at most
``PER_LOGIN`` pages a login.
Downloads and the admin's link are opened (their status counts) but not read; the API docs, static files
and logging out are not opened.
"""

import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from gridgov import demo
from gridgov.orgs.models import Node, Person
from gridgov.testing.raw_text import raw_text

pytestmark = pytest.mark.django_db

LOGINS = ["admin", "street", "dongmen", "auditor", "leader", "worker", "resident", "merchant", "supervisor"]
OPENED_PER_ROUTE = 20  # e.g. the months of the schemes on 指数与颜色码; not the "why?" of 500 people
READ_PER_ROUTE = 8
PER_LOGIN = 400
PAGE_SECONDS = 0.2
NOT_WALKED = ("/logout/", "/api/", "/static/", "/media/", "/i18n/")
NOT_READ = ("/admin/",)  # the Django admin's own pages: its link is opened, its pages not walked


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` and the ``hx-get`` of any element (htmx fetches it with a GET)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, bool]] = []  # (address, fetched by htmx)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.found.append((attributes["href"], False))
        if attributes.get("hx-get"):
            self.found.append((attributes["hx-get"], True))


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker):
    """``gridgov demo``'s street with a month of activity, seeded once for every login's walk."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.seed_demo()
        yield
        transaction.set_rollback(True)


def same_site(base: str, href: str) -> str | None:
    """The path and query ``href`` points to inside the site, or None for elsewhere, fragments, mailto …"""
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def route_of(address: str) -> tuple:
    parts = urlsplit(address)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))


def walk(client: Client, codes=(), first_of: dict | None = None) -> tuple[int, list[str], dict[str, dict[str, str]]]:
    """Open the links found, breadth first from the home page, and read the first pages of each route for more;
    return the pages opened, what went wrong where, and the raw developer text each route's pages showed."""
    queue = deque([("/", False, "(start)")])
    seen, opened_of, read, problems, opened, raw = {"/"}, {}, {}, [], 0, {}
    while queue and opened < PER_LOGIN:
        address, by_htmx, offered_on = queue.popleft()
        response = client.get(address, headers={"HX-Request": "true"} if by_htmx else {}, follow=True)
        opened += 1
        final = response.redirect_chain[-1][0] if response.redirect_chain else address
        if response.status_code != 200 or urlsplit(final).path == reverse("login"):
            problems.append(f"{address} → {response.status_code} {final} (linked from {offered_on})")
            continue
        read[route_of(final)] = read.get(route_of(final), 0) + 1
        content_type = response.get("Content-Type", "")
        if "html" not in content_type or address.startswith(NOT_READ):
            continue  # opened, not read: a download, or the admin's own pages
        html = response.content.decode()
        if first_of is not None and not by_htmx:
            first_of.setdefault(route_of(final)[0], final)
        for found in raw_text(html, codes=codes):
            raw.setdefault(route_of(final)[0], {}).setdefault(found, final)
        if read[route_of(final)] > READ_PER_ROUTE:
            continue  # opened, not read for links: enough of this route
        parser = Links()
        parser.feed(html)
        for href, htmx in parser.found:
            target = same_site(final, href)
            if target is None or target in seen or target.startswith(NOT_WALKED):
                continue
            seen.add(target)
            opened_of[route_of(target)] = opened_of.get(route_of(target), 0) + 1
            if opened_of[route_of(target)] <= OPENED_PER_ROUTE:
                queue.append((target, htmx, address))
    return opened, problems, raw


@pytest.mark.parametrize("username", LOGINS)
def test_every_link_a_demo_login_is_shown_opens_for_it(demo_street, username):
    person = Person.objects.select_related("user").get(user__username=username)
    client = Client()
    client.force_login(person.user)
    started = time.perf_counter()
    opened, problems, raw = walk(client, codes=set(Node.objects.values_list("code", flat=True)))
    seconds = time.perf_counter() - started
    assert not problems, f"{username}: {len(problems)} of {opened} pages failed:\n" + "\n".join(problems)
    assert opened >= 5, opened
    shown = [f"{route}: {found} (on {where})" for route, founds in sorted(raw.items()) for found, where in founds.items()]
    assert not raw, f"{username}: {len(raw)} pages show developer text:\n" + "\n".join(shown)
    # Pages stay quick in the test client: on average well under PAGE_SECONDS (a login that sees every app walks
    # up to PER_LOGIN pages, so the walk's total grows with the apps; the time a page takes should not).
    assert seconds / opened < PAGE_SECONDS, (username, opened, round(seconds, 1))

