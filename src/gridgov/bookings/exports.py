"""What bookings hand out as files: an iCalendar (.ics) of visits for a calendar app, and the year-end .xlsx
(bookings, person-visits and ratings per base and per section)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from openpyxl import Workbook
from openpyxl.styles import Font

from gridgov.bookings.models import BookingState
from gridgov.spreadsheets import workbook_bytes

PRODUCT = "-//gridgov//bookings//ZH"


def calendar_ics(bookings, *, name: str, host: str) -> bytes:
    """One event per visit; a visit not yet approved is TENTATIVE, a cancelled or declined one CANCELLED
    (so a calendar that imported it before takes it away again)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    stamp = timezone.now()
    for booking in bookings:
        event = CalendarEvent()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.starts_at + timedelta(minutes=booking.plan.duration_minutes))
        event.add("summary", f"{booking.base.name} · {booking.plan.theme}")
        event.add("location", booking.base.address or booking.base.name)
        event.add("status", _status(booking.state))
        lines = [f"{_('Organisation')}: {booking.organisation.name}", f"{_('People')}: {booking.headcount}",
                 f"{_('State')}: {booking.get_state_display()}"]
        if booking.liaison_id:
            lines.append(f"{_('Liaison')}: {booking.liaison.name} {booking.liaison.phone or ''}".rstrip())
        if booking.base.phone:
            lines.append(f"{_('Base')}: {booking.base.phone}")
        event.add("description", "\n".join(lines))
        event.add("last-modified", booking.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()


def _status(state: str) -> str:
    if state in (BookingState.REJECTED, BookingState.CANCELLED):
        return "CANCELLED"
    if state in (BookingState.PENDING_BASE, BookingState.PENDING_SECOND):
        return "TENTATIVE"
    return "CONFIRMED"


def year_report(*, year: int, bases: list[dict], sections: list[dict]) -> bytes:
    """The year-end workbook from ``selectors.year_figures``: one sheet per base, one per section."""
    workbook = Workbook()
    per_base = workbook.active
    per_base.title = _("By base")
    heading = [_("Bookings"), _("Visited"), _("Did not come"), _("Cancelled or declined"), _("Person-visits"),
               _("Ratings"), _("Mean rating")]
    per_base.append([_("Section"), _("Base"), *heading])
    for row in bases:
        per_base.append([row["section"], row["base"], *_figures(row)])
    per_section = workbook.create_sheet(_("By section"))
    per_section.append([_("Section"), _("Bases"), *heading])
    for row in sections:
        per_section.append([row["section"], row["bases"], *_figures(row)])
    for sheet in (per_base, per_section):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 28
    workbook.properties.title = _("Base bookings %(year)d") % {"year": year}
    return workbook_bytes(workbook)


def _figures(row: dict) -> list:
    return [row["bookings"], row["attended"], row["no_show"], row["dropped"], row["person_visits"], row["ratings"],
            row["mean"]]
