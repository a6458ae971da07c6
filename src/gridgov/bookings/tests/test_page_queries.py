"""Query counts of the bookings pages that offer "my bases": the door is one EXISTS, and one staff check serves
the pages of a base, so a page's queries do not grow with the bases or the bookings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.bookings import selectors, services
from gridgov.bookings.models import Base
from gridgov.bookings.tests.test_pages import _login

pytestmark = pytest.mark.django_db


def _more_bases(catalogue, count):
    for number in range(count):
        extra = Base.objects.create(section=catalogue.section, code=f"extra-{number}", name=f"基地{number}",
                                    node=catalogue.base.node, open_weekdays="12345")
        extra.staff.add(catalogue.staff)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return captured


def _staff_exists(captured):
    """The EXISTS queries on a base's staff (the queue's own query joins the staff table too, but lists rows)."""
    return [query["sql"] for query in captured.captured_queries
            if "bookings_base_staff" in query["sql"] and query["sql"].startswith('SELECT 1 AS "a"')]


def test_the_review_queue_of_a_base_staff_member_takes_a_bounded_number_of_queries(
        client, street, catalogue, next_monday, django_assert_max_num_queries):
    """Eight (SQLite and PostgreSQL), whatever the number of bookings waiting: the pager's bounded count is one,
    "my bases" another, an EXISTS."""
    for week in range(3):
        services.booking_create(actor=street.community_cadre, organisation=street.community, plan=catalogue.plan,
                                slot=catalogue.morning, date=next_monday + timedelta(weeks=week), headcount=10)
    _login(client, "base_staff")
    client.get(reverse("bookings:queue"))  # the session's first request
    with django_assert_max_num_queries(8):
        page = client.get(reverse("bookings:queue"))
    assert reverse("bookings:managed") in page.content.decode()


@pytest.mark.parametrize("page", ["bookings:queue", "bookings:catalogue", "bookings:league"])
def test_my_bases_door_is_one_exists_however_many_bases_one_runs(client, catalogue, page):
    _login(client, "base_staff")
    client.get(reverse(page))
    before = _queries(client, reverse(page))
    _more_bases(catalogue, 5)
    after = _queries(client, reverse(page))
    assert len(after) == len(before)
    assert len(_staff_exists(after)) == 1


def test_a_base_page_checks_the_staff_once_without_listing_the_bases(client, catalogue):
    _more_bases(catalogue, 5)
    _login(client, "base_staff")
    captured = _queries(client, reverse("bookings:base_calendar", args=[catalogue.base.code]))
    assert len(_staff_exists(captured)) == 1
    assert not [query for query in captured.captured_queries if query["sql"].startswith('SELECT "bookings_base"."id"')
                and "bookings_base_staff" in query["sql"]]  # no list of the bases one runs


def test_one_staff_check_for_selectors_and_services(street, catalogue):
    assert selectors.is_base_staff(person=catalogue.staff, base=catalogue.base)
    assert not selectors.is_base_staff(person=catalogue.liaison, base=catalogue.base)
    assert not selectors.is_base_staff(person=None, base=catalogue.base)
    catalogue.staff.is_active = False
    catalogue.staff.save(update_fields=["is_active"])
    assert not selectors.is_base_staff(person=catalogue.staff, base=catalogue.base)
    assert not selectors.manages_a_base(catalogue.staff)


def test_my_bookings_and_the_review_queue_are_paged(client, street, catalogue, next_monday, monkeypatch):
    from gridgov import pages

    monkeypatch.setattr(pages.page_of, "__kwdefaults__", {"per_page": 1})  # one booking a page
    made = [services.booking_create(actor=street.community_cadre, organisation=street.community, plan=catalogue.plan,
                                    slot=catalogue.morning, date=next_monday + timedelta(weeks=week), headcount=10)
            for week in range(2)]
    for who, url in ((lambda: client.force_login(street.community_cadre.user), "bookings:mine"),
                     (lambda: _login(client, "base_staff"), "bookings:queue")):
        who()
        one, two = (client.get(f"{reverse(url)}?page={number}").content.decode() for number in (1, 2))
        shown = [[f"/bookings/{booking.pk}/" in page for booking in made] for page in (one, two)]
        assert sorted(shown) == [[False, True], [True, False]], (url, shown)
        assert "?page=2" in one
