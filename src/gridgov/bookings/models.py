"""The catalogue of education and activity bases (红动宁海) and the bookings organisations make of them.

A base belongs to a section, offers slots of a day (each with a capacity in people) on its opening weekdays,
and at least two activity plans, each with its pool of liaisons. Routes string bases together.

Places are counted on ``SlotDay`` (one row per slot and date, created on the first booking): a booking locks
that row, checks what is left and adds its headcount, and a check constraint keeps the count within the
capacity, so places are never over-booked however many organisations race. A booking's state moves only
through ``gridgov.bookings.workflow``; its current review deadline is copied to ``due_at`` for the deadline
engine. Who reviews beyond the base is data (``ReviewRule``), not code.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.media import Photo
from gridgov.orgs.models import Node, Person, Role

WEEKDAYS = "1234567"  # ISO weekdays, Monday = 1


class Section(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("base section")
        verbose_name_plural = _("base sections")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Base(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="bases", verbose_name=_("section"))
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="booking_bases",
                             verbose_name=_("lies in"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    open_weekdays = models.CharField(_("opening weekdays (1 = Monday … 7 = Sunday)"), max_length=7, default="12345")
    accessibility = models.CharField(_("accessibility"), max_length=300, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    staff = models.ManyToManyField(Person, blank=True, related_name="booking_bases_staffed", verbose_name=_("staff"))
    review_hours = models.PositiveSmallIntegerField(_("working hours for the base to answer"), default=2)
    cutoff_hours = models.PositiveSmallIntegerField(_("hours before the visit after which it cannot be changed"),
                                                    default=24)
    is_active = models.BooleanField(_("open for booking"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(review_hours__gt=0), name="bookings_base_review_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day) -> bool:
        return str(day.isoweekday()) in self.open_weekdays


class BaseSlot(models.Model):
    """A part of the day a base receives visitors, with how many people it takes."""

    base = models.ForeignKey(Base, on_delete=models.CASCADE, related_name="slots", verbose_name=_("base"))
    label = models.CharField(_("name"), max_length=20)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity (people)"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["base", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["base", "starts_at"], name="bookings_slot_unique_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="bookings_slot_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="bookings_slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class BaseClosure(models.Model):
    base = models.ForeignKey(Base, on_delete=models.CASCADE, related_name="closures", verbose_name=_("base"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [models.UniqueConstraint(fields=["base", "date"], name="bookings_closure_unique")]

    def __str__(self) -> str:
        return f"{self.base} · {self.date:%Y-%m-%d}"


class BasePhoto(Photo):
    base = models.ForeignKey(Base, on_delete=models.CASCADE, related_name="photos", verbose_name=_("base"))
    image = models.FileField(_("image"), upload_to="bookings/bases/")

    class Meta(Photo.Meta):
        verbose_name = _("base photo")
        verbose_name_plural = _("base photos")


class Plan(models.Model):
    """An activity plan a base offers (every base at least two): what visitors learn and do."""

    base = models.ForeignKey(Base, on_delete=models.CASCADE, related_name="plans", verbose_name=_("base"))
    theme = models.CharField(_("theme"), max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    teaching = models.TextField(_("teaching list (one item a line)"), blank=True)
    activities = models.TextField(_("what the visitors do"), blank=True)
    liaisons = models.ManyToManyField(Person, blank=True, related_name="booking_plans_liaised",
                                      verbose_name=_("liaison pool"))
    is_active = models.BooleanField(_("offered"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity plan")
        verbose_name_plural = _("activity plans")
        ordering = ["base", "order", "pk"]

    def __str__(self) -> str:
        return self.theme

    @property
    def teaching_items(self) -> list[str]:
        return [line.strip() for line in self.teaching.splitlines() if line.strip()]


class Route(models.Model):
    """An "初心之旅" route: bases visited in order."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops", verbose_name=_("route"))
    base = models.ForeignKey(Base, on_delete=models.CASCADE, related_name="route_stops", verbose_name=_("base"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="bookings_stop_unique_position"),
            models.UniqueConstraint(fields=["route", "base"], name="bookings_stop_unique_base"),
        ]

    def __str__(self) -> str:
        return f"{self.route} · {self.position}. {self.base}"


class ReviewRule(models.Model):
    """Who reviews after the base (清单分级过审), as data: bookings matching the rule (its section, base or plan,
    any when empty, and at least ``min_headcount`` people) go on to a holder of ``reviewer_role`` at
    ``reviewer_node``. A rule with ``second_review`` off names only who takes over a booking the base leaves
    unanswered past its time limit (限时转接). The most specific matching rule wins, then the lower priority."""

    name = models.CharField(_("name"), max_length=100)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("section (empty: any)"))
    base = models.ForeignKey(Base, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("base (empty: any)"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("plan (empty: any)"))
    min_headcount = models.PositiveIntegerField(_("from this many people"), default=0)
    reviewer_node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("reviewing organisation"))
    reviewer_role = models.CharField(_("reviewer role"), max_length=20, choices=Role.choices,
                                     default=Role.STREET_CADRE)
    second_review = models.BooleanField(_("reviews after the base"), default=True)
    review_hours = models.PositiveSmallIntegerField(_("working hours to answer"), default=8)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("review rule")
        verbose_name_plural = _("review rules")
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(review_hours__gt=0), name="bookings_rule_review_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class SlotDay(models.Model):
    """The places taken in one slot on one date: the row every booking of that slot locks."""

    slot = models.ForeignKey(BaseSlot, on_delete=models.CASCADE, related_name="days", verbose_name=_("slot"))
    date = models.DateField(_("date"))
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    booked_people = models.PositiveIntegerField(_("people booked"), default=0)
    bookings = models.PositiveIntegerField(_("bookings"), default=0)

    class Meta:
        verbose_name = _("slot day")
        verbose_name_plural = _("slot days")
        constraints = [
            models.UniqueConstraint(fields=["slot", "date"], name="bookings_slotday_unique"),
            models.CheckConstraint(condition=Q(booked_people__lte=F("capacity")),
                                   name="bookings_slotday_within_capacity"),
        ]

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked_people, 0)

    def __str__(self) -> str:
        return f"{self.slot} · {self.date:%Y-%m-%d}"


class BookingState(models.TextChoices):
    PENDING_BASE = "pending_base", _("Waiting for the base")
    PENDING_SECOND = "pending_second", _("Waiting for the second review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Visited")
    NO_SHOW = "no_show", _("Did not come")


PENDING_STATES = (BookingState.PENDING_BASE, BookingState.PENDING_SECOND)
HOLDING_STATES = (*PENDING_STATES, BookingState.APPROVED)  # the states that hold places


class Booking(models.Model):
    organisation = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="bookings",
                                     verbose_name=_("organisation"))
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("plan"))
    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("base"))
    slot = models.ForeignKey(BaseSlot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    headcount = models.PositiveIntegerField(_("people"))
    booked_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bookings_made",
                                  verbose_name=_("booked by"))
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=BookingState.choices,
                             default=BookingState.PENDING_BASE)
    reviewer = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("reviewer"))
    review_rule = models.ForeignKey(ReviewRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("second review"))
    needs_second_review = models.BooleanField(_("needs a second review"), default=False)
    handed_over = models.BooleanField(_("handed over for lateness"), default=False)
    due_at = models.DateTimeField(_("answer by"), null=True, blank=True, editable=False)
    liaison = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="bookings_liaised", verbose_name=_("liaison"))
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings",
                              verbose_name=_("booked with the route"))
    trip = models.CharField(_("trip"), max_length=32, blank=True, db_index=True)  # the bookings of one route trip
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gt=0), name="bookings_booking_headcount_positive"),
            models.CheckConstraint(condition=Q(state__in=BookingState.values), name="bookings_booking_state_known"),
            # One organisation, one booking of a slot: a second one (a double tap, two cadres) is refused.
            models.UniqueConstraint(fields=["organisation", "slot", "date"], condition=Q(state__in=HOLDING_STATES),
                                    name="bookings_one_per_organisation_slot"),
            models.UniqueConstraint(fields=["booked_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="bookings_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="bookings_booking_due_idx"),
            models.Index(fields=["base", "date"], name="bookings_booking_base_date_idx"),
            models.Index(fields=["organisation", "-starts_at"], name="bookings_booking_org_idx"),
            models.Index(fields=["reviewer", "state"], name="bookings_booking_reviewer_idx"),
            models.Index(fields=["liaison", "date"], name="bookings_booking_liaison_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.base.name} · {self.date:%Y-%m-%d}" if self.base_id else f"{self.date}"

    @property
    def scope_node(self) -> Node:
        return self.organisation


class BookingEvent(models.Model):
    """One line of a booking's timeline."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events", verbose_name=_("booking"))
    event = models.CharField(_("event"), max_length=20)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    actor_name = models.CharField(_("by"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.booking} · {self.event}"


class Attendance(models.Model):
    """What the liaison recorded on the day: how many came (or that nobody did)."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="attendance",
                                   verbose_name=_("booking"))
    headcount = models.PositiveIntegerField(_("people who came"), default=0)
    no_show = models.BooleanField(_("did not come"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    people = models.ManyToManyField(Person, blank=True, related_name="base_visits_attended",
                                    verbose_name=_("members who came (when named)"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.CheckConstraint(condition=Q(no_show=True, headcount=0) | Q(no_show=False, headcount__gt=0),
                                   name="bookings_attendance_headcount_or_no_show"),
        ]

    def __str__(self) -> str:
        return f"{self.booking} · {self.headcount}"


class AttendancePhoto(Photo):
    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="photos",
                                   verbose_name=_("attendance"))
    image = models.FileField(_("image"), upload_to="bookings/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("attendance photo")
        verbose_name_plural = _("attendance photos")


class Rating(models.Model):
    """A participant's rating of a visit (活动成效即时评价): one per person and booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("booking"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("rated by"))
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["booking", "person"], name="bookings_rating_one_per_person"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="bookings_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.booking} · {self.score}/5"
