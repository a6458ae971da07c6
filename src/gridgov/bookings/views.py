"""Booking pages: the public catalogue (no login), one-tap booking from a plan, my bookings, the reviewers'
queue deciding in place, the liaison's day, and the rating page opened from the QR code."""

from datetime import timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.bookings import exports, selectors, services
from gridgov.bookings.forms import (
    AttendanceForm,
    BaseForm,
    BasePhotosForm,
    BookingForm,
    CancelForm,
    DecideForm,
    LiaisonForm,
    PlanEditForm,
    RatingForm,
    RescheduleForm,
    RouteBookingForm,
)
from gridgov.bookings.models import BookingState
from gridgov.bookings.workflow import EVENT_LABELS
from gridgov.errors import DomainError, PermissionDenied, message_of
from gridgov.media import private_jpeg
from gridgov.orgs.permissions import may_somewhere
from gridgov.pages import page_of, person_of, refuse_in_form, run_action
from gridgov.replicas import replica_reads

AVAILABILITY_DAYS = 14


def _viewer(request):
    """The person behind the login, or None for a visitor without one (the catalogue is public)."""
    if not request.user.is_authenticated:
        return None
    try:
        return person_of(request)
    except PermissionDenied:
        return None


def catalogue(request):
    person = _viewer(request)
    return render(request, "bookings/catalogue.html", {"page": page_of(request, selectors.catalogue_bases(person=person)),
                                                       "managed": selectors.manages_a_base(person)})


def base(request, code):
    found = selectors.base_by_code(code)
    if found is None:
        raise Http404
    today = timezone.localdate()
    days = selectors.availability(base=found, first=today + timedelta(days=1), last=today + timedelta(days=7))
    open_days = "、".join(str(WEEKDAYS_ABBR[int(day) - 1]) for day in found.open_weekdays if day in "1234567")
    person = _viewer(request)
    return render(request, "bookings/base.html", {"base": found, "days": days, "plans": found.plans.all(),
                                                  "slots": found.slots.all(), "open_days": open_days,
                                                  "photos": found.photos.all(),
                                                  "may_edit": selectors.may_manage_base(person=person, base=found)})


def base_photo(request, pk):
    """A base's picture: public, like the catalogue."""
    found = selectors.base_photo(pk)
    if found is None:
        raise Http404
    return private_jpeg(found.image)


def plan(request, pk):
    found = selectors.plan_by_id(pk)
    if found is None:
        raise Http404
    person = _viewer(request)
    may_book = person is not None and may_somewhere(person, "booking.book")
    form = None
    if may_book:
        form = BookingForm(request.POST or None, person=person, plan=found)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.booking_create(actor=person, plan=found, **data)
            except DomainError as error:
                refuse_in_form(form, error)
            else:
                messages.success(request, _("Booked. The base answers within its time limit."))
                return redirect("bookings:detail", booking.pk)
        elif request.method == "GET":
            default = 20
            first = selectors.next_open_slot(plan=found, headcount=default)
            if first:
                form.initial.update({"date": first[0], "slot": first[1].pk})
            form.initial.setdefault("headcount", default)
            form.initial.setdefault("contact_phone", getattr(person, "phone", "") or "")
    elif request.method == "POST":
        return redirect(f"{reverse('login')}?next={request.path}")
    today = timezone.localdate()
    days = selectors.availability(base=found.base, first=today + timedelta(days=1),
                                  last=today + timedelta(days=AVAILABILITY_DAYS))
    return render(request, "bookings/plan.html", {"plan": found, "base": found.base, "form": form, "days": days,
                                                  "logged_in": person is not None})


def routes(request):
    return render(request, "bookings/routes.html", {"routes": selectors.routes()})


def route(request, code):
    found = selectors.route_by_code(code)
    if found is None:
        raise Http404
    person = _viewer(request)
    form = None
    if person is not None and may_somewhere(person, "booking.book"):
        form = RouteBookingForm(request.POST or None, person=person)
        if request.method == "POST" and form.is_valid():
            try:
                trip = services.route_book(actor=person, route=found, **form.cleaned_data)
            except DomainError as error:
                refuse_in_form(form, error)
            else:
                messages.success(request, _("The %(count)d bases of the route are booked; each base answers within "
                                            "its time limit.") % {"count": len(trip)})
                return redirect("bookings:detail", trip[0].pk)
        elif request.method == "GET":
            form.initial.setdefault("headcount", 20)
            form.initial.setdefault("date", timezone.localdate() + timedelta(days=7))
            form.initial.setdefault("contact_phone", getattr(person, "phone", "") or "")
    elif request.method == "POST":
        return redirect(f"{reverse('login')}?next={request.path}")
    return render(request, "bookings/route.html", {"route": found, "form": form, "logged_in": person is not None})


@login_required
def mine(request):
    person = person_of(request)
    bookings = page_of(request, selectors.bookings_for_organisations(person=person))
    return render(request, "bookings/mine.html", {"page": bookings, "now": timezone.now()})


@login_required
def queue(request):
    person = person_of(request)
    return render(request, "bookings/queue.html", {"page": page_of(request, selectors.review_queue(person=person)),
                                                   "now": timezone.now(),
                                                   "managed": selectors.manages_a_base(person)})


@login_required
def liaison(request):
    person = person_of(request)
    today = timezone.localdate()
    visits = list(selectors.liaison_visits(person=person))
    for visit in visits:  # who may be ticked as come, for the visits of today and the past week
        visit.members = selectors.members_to_tick(visit) if visit.date <= today else []
    return render(request, "bookings/liaison.html", {"visits": visits, "today": today, "form": AttendanceForm()})


def _booking(request, pk):
    person = person_of(request)
    booking = selectors.booking_for(person=person, pk=pk)
    if booking is None:
        raise Http404
    return person, booking


@login_required
def detail(request, pk):
    person, booking = _booking(request, pk)
    context = {"booking": booking, "events": booking.events.all(), "labels": EVENT_LABELS,
               "trip": selectors.trip_of(booking),
               "booker": selectors.contact_of(booking.booked_by), "liaison": selectors.contact_of(booking.liaison),
               "may_cancel": selectors.may_change(person=person, booking=booking),
               "may_decide": selectors.may_decide(person=person, booking=booking),
               "cancel_form": CancelForm(), "now": timezone.now()}
    if context["may_cancel"]:
        context["reschedule_form"] = RescheduleForm(booking=booking)
    if selectors.may_assign_liaison(person=person, booking=booking):
        context["liaison_form"] = LiaisonForm(booking=booking)
    if booking.state == BookingState.ATTENDED:
        url = request.build_absolute_uri(reverse("bookings:rate", args=[services.rating_token(booking)]))
        context["rating_url"] = url
        context["qr_svg"] = segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True)
        context["ratings"] = selectors.rating_summary(booking=booking)
    return render(request, "bookings/detail.html", context)


@login_required
@require_POST
def decide(request, pk):
    person, booking = _booking(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
    else:
        approve = form.cleaned_data["approve"]
        run_action(request, lambda: services.booking_decide(actor=person, booking=booking, approve=approve,
                                                            reason=form.cleaned_data["reason"]),
                   success=_("Approved.") if approve else _("Declined."))
    return redirect(request.POST.get("next") == "detail" and reverse("bookings:detail", args=[pk])
                    or reverse("bookings:queue"))


@login_required
@require_POST
def cancel(request, pk):
    person, booking = _booking(request, pk)
    form = CancelForm(request.POST)
    form.is_valid()
    run_action(request, lambda: services.booking_cancel(actor=person, booking=booking,
                                                        reason=form.cleaned_data.get("reason", "")),
               success=_("Cancelled."))
    return redirect("bookings:detail", pk)


@login_required
@require_POST
def reschedule(request, pk):
    person, booking = _booking(request, pk)
    form = RescheduleForm(request.POST, booking=booking)
    if not form.is_valid():
        messages.error(request, message_of(next(iter(form.errors.values()))))
    else:
        data = form.cleaned_data
        run_action(request, lambda: services.booking_reschedule(actor=person, booking=booking, date=data["date"],
                                                                slot=data["slot"]),
                   success=_("Moved. The base reviews the new date."))
    return redirect("bookings:detail", pk)


@login_required
@require_POST
def assign_liaison(request, pk):
    person, booking = _booking(request, pk)
    form = LiaisonForm(request.POST, booking=booking)
    if not form.is_valid():
        messages.error(request, _("Choose a liaison of this plan."))
    else:
        run_action(request, lambda: services.booking_assign_liaison(actor=person, booking=booking,
                                                                    liaison=form.cleaned_data["liaison"]),
                   success=_("Liaison assigned."))
    return redirect("bookings:detail", pk)


@login_required
@require_POST
def attendance(request, pk):
    person, booking = _booking(request, pk)
    form = AttendanceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, message_of(next(iter(form.errors.values()))) if form.errors else _("Check the form."))
    else:
        data = form.cleaned_data
        run_action(request, lambda: services.attendance_record(actor=person, booking=booking,
                                                               headcount=data["headcount"] or 0, no_show=data["no_show"],
                                                               note=data["note"], photos=data["photos"],
                                                               people=request.POST.getlist("people")),
                   success=_("Attendance recorded."))
    return redirect("bookings:liaison")


@login_required
def rate(request, token):
    person = person_of(request)
    booking = services.booking_of_token(token)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(actor=person, token=token, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("bookings:catalogue")
    return render(request, "bookings/rate.html", {"booking": booking, "form": form})


# ---------------------------------------------------------------- calendars and the year's report


CALENDAR_DAYS = (30, 180)  # a calendar file holds the last month and the coming half year


def _ics(request, bookings, *, name: str, filename: str) -> HttpResponse:
    body = exports.calendar_ics(bookings, name=name, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _calendar_range():
    today = timezone.localdate()
    return today - timedelta(days=CALENDAR_DAYS[0]), today + timedelta(days=CALENDAR_DAYS[1])


@login_required
def mine_ics(request):
    person = person_of(request)
    first, last = _calendar_range()
    bookings = selectors.bookings_for_organisations(person=person).filter(date__gte=first, date__lte=last)[:2000]
    return _ics(request, bookings, name=_("My bookings"), filename="bookings.ics")


def _managed_base(request, code):
    person = person_of(request)
    found = selectors.base_by_code(code)
    if found is None or not selectors.may_manage_base(person=person, base=found):
        raise Http404
    return found


@login_required
def base_calendar(request, code):
    found = _managed_base(request, code)
    today = timezone.localdate()
    visits = selectors.base_calendar(base=found, first=today, last=today + timedelta(days=60))
    days: dict = {}
    for visit in visits:
        days.setdefault(visit.date, []).append(visit)
    return render(request, "bookings/calendar.html", {"base": found, "days": days.items()})


@login_required
def base_ics(request, code):
    found = _managed_base(request, code)
    first, last = _calendar_range()
    return _ics(request, selectors.base_calendar(base=found, first=first, last=last)[:5000], name=found.name,
                filename=f"{found.code}.ics")


@replica_reads
@login_required
def year_report(request):
    person = person_of(request)
    bases = selectors.bases_managed(person)
    if not bases:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        messages.error(request, _("Choose a year between 2000 and 2100."))
        return redirect("bookings:managed")
    per_base, per_section = selectors.year_figures(year=year, bases=bases)
    body = exports.year_report(year=year, bases=per_base, sections=per_section)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="bookings-{year}.xlsx"'
    return response


@login_required
def managed(request):
    person = person_of(request)
    bases = selectors.bases_managed(person)
    if not bases:
        raise Http404
    year = timezone.localdate().year
    per_base, per_section = selectors.year_figures(year=year, bases=bases)
    rows = list(zip(bases, per_base))
    return render(request, "bookings/managed.html", {"rows": rows, "sections": per_section, "year": year,
                                                     "years": range(year, year - 4, -1)})


# ---------------------------------------------------------------- the catalogue, kept by the base's staff


@login_required
def base_edit(request, code):
    found = _managed_base(request, code)
    person = person_of(request)
    form = BaseForm(request.POST or None, initial={
        "description": found.description, "address": found.address, "open_weekdays": list(found.open_weekdays),
        "accessibility": found.accessibility, "phone": found.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.base_update(actor=person, base=found, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("bookings:base_edit", found.code)
    return render(request, "bookings/base_edit.html", {
        "base": found, "form": form, "photos_form": BasePhotosForm(), "photos": found.photos.all(),
        "plans": selectors.plans_of(found)})


@login_required
@require_POST
def base_photos(request, code):
    found = _managed_base(request, code)
    person = person_of(request)
    form = BasePhotosForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, message_of(next(iter(form.errors.values()))))
    else:
        run_action(request, lambda: services.base_photos_add(actor=person, base=found, photos=form.cleaned_data["photos"]),
                   success=_("Photos added."))
    return redirect("bookings:base_edit", found.code)


@login_required
@require_POST
def base_photo_remove(request, code, pk):
    found = _managed_base(request, code)
    photo = selectors.base_photo(pk)
    if photo is None or photo.base_id != found.pk:
        raise Http404
    run_action(request, lambda: services.base_photo_remove(actor=person_of(request), photo=photo),
               success=_("Photo removed."))
    return redirect("bookings:base_edit", found.code)


@login_required
def plan_edit(request, pk):
    found = selectors.plan_any(pk)
    person = person_of(request)
    if found is None or not selectors.may_manage_base(person=person, base=found.base):
        raise Http404
    form = PlanEditForm(request.POST or None, initial={
        "theme": found.theme, "duration_minutes": found.duration_minutes, "teaching": found.teaching,
        "activities": found.activities, "is_active": found.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=person, plan=found, **form.cleaned_data)
        except DomainError as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("bookings:base_edit", found.base.code)
    return render(request, "bookings/plan_edit.html", {"plan": found, "base": found.base, "form": form})


# ---------------------------------------------------------------- the base league


def _league_periods(today) -> list[tuple[str, str]]:
    """The last full month, quarter and year, and the current ones, as (period, label)."""
    month_start = today.replace(day=1)
    last_month = month_start - timedelta(days=1)
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return [
        (f"{last_month:%Y-%m}", _("%(year)d-%(month)02d (monthly comparison)") % {"year": last_month.year,
                                                                                   "month": last_month.month}),
        (f"{today:%Y-%m}", _("This month so far")),
        (f"{last_quarter[0]}-Q{last_quarter[1]}", _("%(year)d Q%(quarter)d (quarterly ranking)") % {
            "year": last_quarter[0], "quarter": last_quarter[1]}),
        (f"{today.year - 1}", _("%(year)d (yearly assessment)") % {"year": today.year - 1}),
        (f"{today.year}", _("%(year)d so far") % {"year": today.year}),
    ]


@replica_reads
def league(request):
    """月比晒、季排位、年考评: public, as a comparison is meant to be; the 末位 flags for those who run bases."""
    periods = _league_periods(timezone.localdate())
    period = request.GET.get("period") or periods[0][0]
    try:
        table = selectors.league(period=period)
    except ValueError:
        messages.error(request, _("Choose a month (2026-11), a quarter (2026-Q4) or a year (2026)."))
        return redirect("bookings:league")
    if period not in [value for value, _label in periods]:
        periods.append((period, period))
    person = _viewer(request)
    return render(request, "bookings/league.html", {
        "table": table, "period": period, "periods": periods, "yearly": period.isdigit(),
        "show_flags": selectors.manages_a_base(person), "weights": selectors.LEAGUE_WEIGHTS})
