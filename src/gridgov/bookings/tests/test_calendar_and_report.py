"""Calendars and the year's figures: the organisation's and the base's .ics, the base's own calendar page, the
year-end .xlsx per base and section, moving a visit and choosing its liaison from the detail page, and a held
visit counting as the organisation's 主题党日 in the indices."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from gridgov.audit.models import AuditRecord
from gridgov.bookings import services
from gridgov.bookings.models import BookingState
from gridgov.bookings.tests.conftest import T0, VISIT
from gridgov.bookings.tests.test_api import bearer, post_json
from gridgov.bookings.tests.test_pages import _login
from gridgov.indices.models import ActivityRecord

pytestmark = pytest.mark.django_db
ON_THE_DAY = T0 + timedelta(days=7, hours=3)


@pytest.fixture
def upcoming(street, catalogue, next_monday):
    booking = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                      plan=catalogue.plan, slot=catalogue.morning, date=next_monday, headcount=12)
    return services.booking_decide(actor=catalogue.staff, booking=booking, approve=True)


def _events(response) -> list:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return [part for part in Calendar.from_ical(response.content).walk("VEVENT")]


def test_my_bookings_calendar_file_holds_the_visit_with_its_liaison(client, street, catalogue, upcoming):
    _login(client, "community")
    [event] = _events(client.get(reverse("bookings:mine_ics")))
    assert str(event["summary"]) == "红色纪念馆 · 重温入党誓词"
    assert event.decoded("dtstart") == upcoming.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=120)
    assert str(event["status"]) == "CONFIRMED" and catalogue.liaison.name in str(event["description"])


def test_a_cancelled_visit_stays_in_the_file_as_cancelled(client, street, upcoming):
    services.booking_cancel(actor=street.community_cadre, booking=upcoming, reason="改期")
    _login(client, "community")
    [event] = _events(client.get(reverse("bookings:mine_ics")))
    assert str(event["status"]) == "CANCELLED"


def test_the_base_calendar_is_for_its_staff_only(client, street, catalogue, upcoming):
    client.force_login(catalogue.staff.user)
    page = client.get(reverse("bookings:base_calendar", args=[catalogue.base.code]))
    assert page.status_code == 200 and street.community.name in page.content.decode()
    assert len(_events(client.get(reverse("bookings:base_ics", args=[catalogue.base.code])))) == 1
    _login(client, "community")
    assert client.get(reverse("bookings:base_calendar", args=[catalogue.base.code])).status_code == 404
    assert client.get(reverse("bookings:base_ics", args=[catalogue.base.code])).status_code == 404


def test_year_report_counts_visits_people_and_ratings_per_base_and_section(client, street, book, catalogue):
    approved = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    attended = services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=3, now=ON_THE_DAY)
    services.rating_submit(actor=street.worker_a, token=services.rating_token(attended), score=4)
    services.rating_submit(actor=street.community_cadre, token=services.rating_token(attended), score=5)
    services.booking_create(actor=street.community_cadre, organisation=street.community, plan=catalogue.plan,
                            slot=catalogue.afternoon, date=VISIT, headcount=5, now=T0)
    client.force_login(catalogue.staff.user)
    response = client.get(reverse("bookings:year_report"), {"year": VISIT.year})
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    by_base, by_section = workbook.worksheets
    assert [cell.value for cell in by_base[2]] == ["党性教育", "红色纪念馆", 2, 1, 0, 0, 3, 2, 4.5]
    assert [cell.value for cell in by_section[2]] == ["党性教育", 1, 2, 1, 0, 0, 3, 2, 4.5]
    assert load_workbook(BytesIO(client.get(reverse("bookings:year_report"), {"year": 2001}).content)
                         ).worksheets[0].cell(2, 3).value == 0


def test_year_report_refuses_a_year_out_of_range_and_people_without_a_base(client, street, catalogue):
    client.force_login(catalogue.staff.user)
    refused = client.get(reverse("bookings:year_report"), {"year": "20x6"}, follow=True)
    assert "2000" in refused.content.decode()
    _login(client, "community")
    assert client.get(reverse("bookings:year_report")).status_code == 404


def test_booker_moves_the_visit_from_the_detail_page(client, street, catalogue, upcoming, next_monday):
    _login(client, "community")
    page = client.get(reverse("bookings:detail", args=[upcoming.pk])).content.decode()
    assert 'id="reschedule"' in page
    response = client.post(reverse("bookings:reschedule", args=[upcoming.pk]),
                           {"date": (next_monday + timedelta(days=1)).isoformat(), "slot": catalogue.afternoon.pk},
                           follow=True)
    upcoming.refresh_from_db()
    assert upcoming.state == BookingState.PENDING_BASE and upcoming.slot == catalogue.afternoon
    assert upcoming.date == next_monday + timedelta(days=1)
    assert "已改期，基地将审核新日期。" in response.content.decode()


def test_moving_to_a_closed_day_is_refused_in_words(client, street, catalogue, upcoming, next_monday):
    _login(client, "community")
    saturday = next_monday + timedelta(days=5)
    response = client.post(reverse("bookings:reschedule", args=[upcoming.pk]),
                           {"date": saturday.isoformat(), "slot": catalogue.morning.pk}, follow=True)
    upcoming.refresh_from_db()
    assert upcoming.date == next_monday and upcoming.state == BookingState.APPROVED
    assert "该基地当天不接待。" in response.content.decode()


def test_base_chooses_another_liaison_by_page_and_api(client, street, catalogue, upcoming):
    client.force_login(catalogue.staff.user)
    assert 'id="choose-liaison"' in client.get(reverse("bookings:detail", args=[upcoming.pk])).content.decode()
    client.post(reverse("bookings:assign_liaison", args=[upcoming.pk]), {"liaison": catalogue.liaison_b.pk})
    upcoming.refresh_from_db()
    assert upcoming.liaison == catalogue.liaison_b
    back = post_json(client, f"/api/v1/bookings/{upcoming.pk}/liaison", {"liaison_id": catalogue.liaison.pk},
                     catalogue.staff)
    assert back.status_code == 200 and back.json()["liaison"] == catalogue.liaison.name
    outsider = post_json(client, f"/api/v1/bookings/{upcoming.pk}/liaison", {"liaison_id": street.worker_a.pk},
                         catalogue.staff)
    assert outsider.status_code == 400 and outsider.json()["code"] == "invalid_liaison"
    by_booker = post_json(client, f"/api/v1/bookings/{upcoming.pk}/liaison", {"liaison_id": catalogue.liaison_b.pk},
                          street.community_cadre)
    assert by_booker.status_code == 403


def test_figures_by_api_are_for_base_staff(client, street, catalogue, upcoming):
    mine = client.get(f"/api/v1/bookings/figures?year={upcoming.date.year}", **bearer(catalogue.staff))
    assert mine.status_code == 200 and mine.json()["bases"][0]["bookings"] == 1
    assert client.get("/api/v1/bookings/figures?year=1999", **bearer(catalogue.staff)).status_code in (400, 422)
    assert client.get("/api/v1/bookings/figures?year=2026", **bearer(street.community_cadre)).status_code == 403


def test_a_held_visit_is_the_organisations_theme_day_in_the_indices(street, book, catalogue):
    due = ActivityRecord.objects.create(node=street.community, kind="主题党日", due_on=VISIT.replace(day=25))
    approved = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=8, now=ON_THE_DAY)
    due.refresh_from_db()
    assert due.held_on == VISIT and "红色纪念馆" in due.note
    assert AuditRecord.objects.filter(action="indices.activity.held", reason=f"booking {approved.pk}").exists()


def test_a_visit_without_a_due_theme_day_is_recorded_as_an_extra_one_and_a_no_show_as_nothing(street, book,
                                                                                              catalogue):
    approved = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=8, now=ON_THE_DAY)
    [extra] = ActivityRecord.objects.filter(node=street.community)
    assert (extra.kind, extra.held_on, extra.required) == ("主题党日", VISIT, False)
    other = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                    plan=catalogue.plan, slot=catalogue.afternoon, date=VISIT, headcount=5, now=T0)
    other = services.booking_decide(actor=catalogue.staff, booking=other, approve=True, now=T0)
    services.attendance_record(actor=catalogue.liaison, booking=other, no_show=True, now=ON_THE_DAY)
    assert ActivityRecord.objects.filter(node=street.community).count() == 1
