"""Volunteer service and rapid response (志愿汇, the "3812" standard, 15-minute mobilisation).

A **need** (需求 / 微心愿) is posted at a node by a resident, a company's contact or a cadre, in a **category**
whose time windows are data: the 3812 default is 3 minutes from submission to being published (reviewed first
when the category asks for it), 8 minutes to be claimed by enough helpers, 12 hours to be served. The need's
current window ends at ``due_at`` (indexed), which the deadline engine watches at minute precision (see
docs/decisions.md). Helpers are registered **volunteers**; a published need is told to them in waves, nearest
first (the need's own node, then each node above it), until enough claim it. Places are counted on the need
itself (``claimed``) under a check constraint, so claims never exceed ``helpers`` however many race.

Hours are not stored here: a confirmed **claim** credits its minutes to the helper's hours account in the
ledger's journal (double entry, idempotent, chained, verifiable; ``services_hours``).

A **call-out** (紧急动员) asks every volunteer of an area to come to an assembly point now; each answers once.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person


class Category(models.Model):
    """A kind of need with its time windows (minutes) and the skill a helper must have (blank: anyone)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    skill = models.CharField(_("skill required"), max_length=30, blank=True)
    needs_review = models.BooleanField(_("reviewed before it is published"), default=False)
    publish_minutes = models.PositiveIntegerField(_("minutes to publish"), default=3)
    claim_minutes = models.PositiveIntegerField(_("minutes to be claimed"), default=8)
    complete_minutes = models.PositiveIntegerField(_("minutes to be served"), default=12 * 60)
    wave_minutes = models.PositiveIntegerField(_("minutes between waves of messages"), default=2)
    points_per_hour = models.PositiveSmallIntegerField(_("governance points per hour served"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(publish_minutes__gt=0, claim_minutes__gt=0, complete_minutes__gt=0,
                                               wave_minutes__gt=0), name="volunteers_category_windows_positive"),
            models.CheckConstraint(condition=Q(points_per_hour__lte=1000), name="volunteers_category_points_rate"),
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A person registered to volunteer, at the node where they live or work, with their skills."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="volunteer",
                                  verbose_name=_("person"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("lives or works in"))
    skills = models.CharField(_("skills"), max_length=200, blank=True)  # comma-separated skill names
    is_party_member = models.BooleanField(_("party member"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["node", "is_active"], name="volunteers_volunteer_node_idx")]

    def __str__(self) -> str:
        return self.person.name

    def scope_node(self) -> Node:
        return self.node

    def skill_list(self) -> list[str]:
        return [skill.strip() for skill in self.skills.split(",") if skill.strip()]


class NeedState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting to be published")
    PUBLISHED = "published", _("Waiting for helpers")
    CLAIMED = "claimed", _("Helpers found")
    SERVED = "served", _("Served, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not published")


OPEN_STATES = [NeedState.SUBMITTED, NeedState.PUBLISHED, NeedState.CLAIMED, NeedState.SERVED]
QUICK_STATES = [NeedState.SUBMITTED, NeedState.PUBLISHED]  # the minute windows: publish, claim
CLAIMABLE_STATES = [NeedState.PUBLISHED, NeedState.CLAIMED]
CLOSED_STATES = [NeedState.CONFIRMED, NeedState.CANCELLED, NeedState.REJECTED]


class RequesterKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    COMPANY = "company", _("Company")
    CADRE = "cadre", _("Cadre")


class Need(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="needs",
                                 verbose_name=_("category"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    requester = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="volunteer_needs",
                                  verbose_name=_("requester"))
    requester_kind = models.CharField(_("requested by"), max_length=10, choices=RequesterKind.choices,
                                      default=RequesterKind.RESIDENT)
    company = models.CharField(_("company"), max_length=100, blank=True)
    title = models.CharField(_("what is needed"), max_length=100)
    description = models.TextField(_("details"), blank=True, max_length=2000)
    place = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    starts_at = models.DateTimeField(_("when"))
    helpers = models.PositiveSmallIntegerField(_("helpers wanted"), default=1)
    claimed = models.PositiveSmallIntegerField(_("helpers who claimed"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=NeedState.choices, default=NeedState.SUBMITTED)
    due_at = models.DateTimeField(_("current window ends"), null=True, blank=True)
    handler = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("whose move it is"))
    wave = models.PositiveSmallIntegerField(_("waves of messages sent"), default=0)
    next_wave_at = models.DateTimeField(_("next wave"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("enough helpers at"), null=True, blank=True)
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    service_day = models.ForeignKey("ServiceDay", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="needs", verbose_name=_("service day"))
    service_date = models.DateField(_("service date"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer need")
        verbose_name_plural = _("volunteer needs")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(helpers__gte=1, helpers__lte=500), name="volunteers_need_helpers"),
            models.CheckConstraint(condition=Q(claimed__lte=F("helpers")), name="volunteers_need_not_over_claimed"),
            models.UniqueConstraint(fields=["requester", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="volunteers_need_once_per_key"),
            models.UniqueConstraint(fields=["service_day", "service_date"], condition=Q(service_day__isnull=False),
                                    name="volunteers_need_once_per_service_day"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="volunteers_need_due_idx"),
            models.Index(fields=["next_wave_at"], condition=Q(next_wave_at__isnull=False),
                         name="volunteers_need_wave_idx"),
            models.Index(fields=["node", "state"], name="volunteers_need_node_idx"),
            # An area's open needs (the square, its badge on every page of a volunteer, the cadres' list) and its
            # recently closed ones (the cadres' list), per node, newest first: small indexes the planner reads
            # by node, so what is read follows the area's open and recent needs, not the years behind them.
            models.Index(fields=["node", "-submitted_at"], condition=Q(state__in=OPEN_STATES),
                         name="volunteers_need_open_idx"),
            models.Index(fields=["node", "-submitted_at"], condition=Q(state__in=CLOSED_STATES),
                         name="volunteers_need_closed_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_node(self) -> Node:
        return self.node

    @property
    def places_left(self) -> int:
        return max(self.helpers - self.claimed, 0)


class ClaimState(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")
    CONFIRMED = "confirmed", _("Confirmed, hours credited")
    WITHDRAWN = "withdrawn", _("Withdrawn")


HOLDING_CLAIMS = [ClaimState.CLAIMED, ClaimState.CHECKED_IN, ClaimState.CHECKED_OUT, ClaimState.CONFIRMED]


class Claim(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="claims", verbose_name=_("need"))
    volunteer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="volunteer_claims",
                                  verbose_name=_("volunteer"))
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.CLAIMED)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    check_out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes of service"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("requester's rating"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer claim")
        verbose_name_plural = _("volunteer claims")
        ordering = ["claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "volunteer"], condition=~Q(state=ClaimState.WITHDRAWN),
                                    name="volunteers_claim_once"),
            models.CheckConstraint(condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=F("checked_in_at")),
                                   name="volunteers_claim_out_after_in"),
        ]
        indexes = [models.Index(fields=["volunteer", "state"], name="volunteers_claim_person_idx")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.need}"

    def scope_node(self) -> Node:
        return self.need.node


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week, on a weekday")
    MONTHLY = "monthly", _("Every month, on a day of the month")
    LAST_WEEK = "last_week", _("Every day of the last week of a month, each year")


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class ServiceDay(models.Model):
    """A recurring service day as data (每周组团服务日, the 20th of each month, 志愿服务周 in the last week of June):
    the generator posts one need per day it falls on, ``lead_days`` ahead, as its owner (a cadre of ``node``).
    Each (rule, date) is posted once: a unique constraint on the need, so running the generator twice, or two
    generators at once, creates nothing twice. ``generated_until`` is the last date already posted, so a run
    with nothing to do reads one row per rule."""

    name = models.CharField(_("name"), max_length=50)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("where"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("posted in the name of"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    cadence = models.CharField(_("repeats"), max_length=10, choices=Cadence.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday (0 is Monday)"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    title = models.CharField(_("what is needed"), max_length=100)
    place = models.CharField(_("address"), max_length=200)
    start_time = models.TimeField(_("starts at"))
    helpers = models.PositiveSmallIntegerField(_("helpers wanted"), default=10)
    lead_days = models.PositiveSmallIntegerField(_("posted this many days ahead"), default=7)
    generated_until = models.DateField(_("posted up to"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("service day")
        verbose_name_plural = _("service days")
        ordering = ["node__path", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(helpers__gte=1, helpers__lte=500), name="volunteers_day_helpers"),
            models.CheckConstraint(condition=Q(lead_days__gte=1, lead_days__lte=60), name="volunteers_day_lead"),
            models.CheckConstraint(
                condition=(Q(cadence="weekly", weekday__gte=0, weekday__lte=6)
                           | Q(cadence="monthly", day_of_month__gte=1, day_of_month__lte=31)
                           | Q(cadence="last_week", month__gte=1, month__lte=12)),
                name="volunteers_day_cadence"),
            models.UniqueConstraint(fields=["owner", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="volunteers_day_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_node(self) -> Node:
        return self.node

    @property
    def repeats(self) -> str:
        if self.cadence == Cadence.WEEKLY and self.weekday is not None:
            return _("every %(weekday)s") % {"weekday": WEEKDAYS[self.weekday]}
        if self.cadence == Cadence.MONTHLY:
            return _("on day %(day)s of every month") % {"day": self.day_of_month}
        return _("every day of the last week of month %(month)s") % {"month": self.month}


class Told(models.Model):
    """Who was told of a need, in which wave: the next wave skips them."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")
    person_id = models.BigIntegerField()
    wave = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "person_id"], name="volunteers_told_once")]

    def __str__(self) -> str:  # the person is a bare id here (no foreign key: the fan-out inserts in bulk)
        return f"{self.need} · #{self.person_id} · {self.wave}"


class CalloutKind(models.TextChoices):
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    EPIDEMIC = "epidemic", _("Epidemic")
    SEARCH = "search", _("Search for a missing person")
    OTHER = "other", _("Other emergency")


class Callout(models.Model):
    """紧急动员: every active volunteer of ``node``'s area (or within ``radius_m`` of a point) is told at once."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    kind = models.CharField(_("emergency"), max_length=10, choices=CalloutKind.choices)
    title = models.CharField(_("title"), max_length=100)
    target = models.PositiveIntegerField(_("people wanted"))
    assembly_point = models.CharField(_("assembly point"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    raised_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    told = models.PositiveIntegerField(_("people told"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("call-out")
        verbose_name_plural = _("call-outs")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=1, target__lte=100_000), name="volunteers_callout_target"),
            models.UniqueConstraint(fields=["raised_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="volunteers_callout_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_node(self) -> Node:
        return self.node


class Answer(models.TextChoices):
    COMING = "coming", _("Coming")
    CANNOT = "cannot", _("Cannot come")


class CalloutAnswer(models.Model):
    callout = models.ForeignKey(Callout, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # where the map draws someone coming without a location of their own: the centre of the nearest boundary
    # at or above where they registered, found once when they answer (not on every refresh of the map)
    centre_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    centre_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["callout", "person"], name="volunteers_callout_answer_once")]

    def __str__(self) -> str:
        return f"{self.callout} · {self.person.name} · {self.get_answer_display()}"


class ServiceTotal(models.Model):
    """A volunteer's confirmed service in one period (``YYYY``: a year, ``YYYY-MM``: a month, by check-in in
    local time, the month the ledger credits the hours in) at one ranking node: a street, community or grid
    the services took place in, or ``EVERYWHERE`` (0) for all of them (the yearly hours rule). So an area's
    ranking of a month or a year is one index range, and the rule one lookup per volunteer, whatever the
    number of claims. Kept only by ``totals.add``, called by the service that confirms the claims, in its
    transaction; ``gridgov volunteers verify`` checks them against the claims."""

    EVERYWHERE = 0

    node_id = models.BigIntegerField(_("area"))
    period = models.CharField(_("period"), max_length=7)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False,
                               verbose_name=_("volunteer"))
    minutes = models.BigIntegerField(_("minutes of service"), default=0)
    services = models.IntegerField(_("services"), default=0)
    rated = models.IntegerField(_("services rated"), default=0)
    stars = models.IntegerField(_("stars given"), default=0)

    class Meta:
        verbose_name = _("volunteer service total")
        verbose_name_plural = _("volunteer service totals")
        constraints = [
            models.UniqueConstraint(fields=["node_id", "period", "person"], name="volunteers_total_once"),
            models.CheckConstraint(condition=Q(minutes__gte=0, services__gte=0, rated__gte=0, stars__gte=0,
                                               rated__lte=F("services")), name="volunteers_total_sane"),
        ]
        indexes = [models.Index(fields=["node_id", "period", "-minutes", "person"], name="volunteers_total_rank_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.node_id} · {self.period} · {self.minutes}"
