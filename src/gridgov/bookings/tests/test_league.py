"""The base league (月比晒、季排位、年考评): scores from bookings, attendance, ratings and answering in time, ranked
best first, the bottom tenth flagged in the yearly assessment for those who run bases."""

from datetime import time, timedelta

import pytest

from gridgov.bookings import selectors, services
from gridgov.bookings.models import Base, BaseSlot, Booking, Plan
from gridgov.bookings.tests.conftest import T0, VISIT
from gridgov.bookings.tests.test_api import bearer

pytestmark = pytest.mark.django_db
ON_THE_DAY = T0 + timedelta(days=7, hours=3)


@pytest.fixture
def season(street, catalogue, book):
    """红色纪念馆: two visits (one came, rated 4; one no-show). 空馆: open but never booked."""
    quiet = Base.objects.create(section=catalogue.section, code="quiet", name="空馆")
    BaseSlot.objects.create(base=quiet, label="上午", starts_at=time(9), ends_at=time(11), capacity=10)
    Plan.objects.create(base=quiet, theme="甲")
    first = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    visited = services.attendance_record(actor=catalogue.liaison, booking=first, headcount=6, now=ON_THE_DAY)
    services.rating_submit(actor=street.worker_a, token=services.rating_token(visited), score=4)
    second = services.booking_decide(actor=catalogue.staff, booking=book(slot=catalogue.afternoon, headcount=5),
                                     approve=True, now=T0)
    services.attendance_record(actor=catalogue.liaison, booking=second, no_show=True, now=ON_THE_DAY)
    return quiet


def test_league_scores_and_ranks_the_month(season, catalogue):
    busy, quiet = selectors.league(period=f"{VISIT:%Y-%m}")
    assert busy["base"] == catalogue.base and (busy["rank"], quiet["rank"]) == (1, 2)
    assert (busy["made"], busy["attended"], busy["no_show"], busy["people"], busy["mean"]) == (2, 1, 1, 6, 4.0)
    # volume 30 × 1 + attendance 25 × ½ + rating 25 × 4/5 + in time 20 × 1
    assert busy["score"] == 82.5 and quiet["score"] == 0
    assert not busy["flagged"] and not quiet["flagged"]  # flags only in a yearly assessment


def test_the_yearly_assessment_flags_the_bottom(season):
    table = selectors.league(period=str(VISIT.year))
    assert [entry["flagged"] for entry in table] == [False, True]


def test_equal_scores_share_a_rank_and_nobody_is_last(catalogue):
    Base.objects.create(section=catalogue.section, code="twin", name="双子馆")
    table = selectors.league(period="2001")
    assert [entry["rank"] for entry in table] == [1, 1] and not any(entry["flagged"] for entry in table)


def test_league_page_is_public_and_flags_are_for_base_staff(client, season, catalogue):
    page = client.get("/bookings/league/", {"period": str(VISIT.year)}).content.decode()
    assert "红色纪念馆" in page and "空馆" in page and 'class="flagged"' not in page
    client.force_login(catalogue.staff.user)
    assert 'class="flagged"' in client.get("/bookings/league/", {"period": str(VISIT.year)}).content.decode()
    bad = client.get("/bookings/league/", {"period": "2026-13"}, follow=True)
    assert bad.status_code == 200 and "2026-Q4" in bad.content.decode()


def test_league_by_api(client, street, season):
    table = client.get(f"/api/v1/bookings/league?period={VISIT.year}", **bearer(street.worker_a)).json()["items"]
    assert [(row["base"], row["flagged"]) for row in table] == [("red-hall", False), ("quiet", True)]
    bad = client.get("/api/v1/bookings/league?period=20x6", **bearer(street.worker_a))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    assert Booking.objects.count() == 2
