"""Households (户) and the village layer over them: members and their relation to the head, the resident file
(民情档案) as configurable fields with a sensitivity each, care tags on people, member–household links (联户)
and visits with their checklist (十必查).

A person lives in one household at a time: the database keeps one membership without a move-out date per
person, and one head per household among those living in it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person, Role


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    OTHER = "other", _("Other relative or lodger")


class Household(models.Model):
    """One household at an address in a micro-grid or a building."""

    code = models.CharField(_("household code"), max_length=32, unique=True)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="households", verbose_name=_("micro-grid"))
    house_number = models.CharField(_("house number"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["node", "house_number"], name="households_node_number_idx")]

    def __str__(self) -> str:
        return f"{self.address or self.house_number}（{self.code}）"

    def scope_node(self) -> Node:
        return self.node


class Membership(models.Model):
    """A person living in a household from ``moved_in`` until ``moved_out`` (open while they live there)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(moved_out__isnull=True),
                                    name="households_one_household_per_person"),
            models.UniqueConstraint(fields=["household"], condition=Q(moved_out__isnull=True, relation="head"),
                                    name="households_one_head"),
            models.CheckConstraint(condition=Q(moved_out__isnull=True) | Q(moved_out__gte=models.F("moved_in")),
                                   name="households_out_after_in"),
            models.CheckConstraint(condition=Q(relation__in=[value for value, _label in Relation.choices]),
                                   name="households_relation_known"),
        ]
        indexes = [models.Index(fields=["household", "moved_out"], name="households_member_idx")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_relation_display()} · {self.household}"

    def scope_node(self) -> Node:
        return self.household.node


class Sensitivity(models.TextChoices):
    """Who may read and write a field of the resident file: the ``household.file_read_<level>`` actions."""

    OPEN = "open", _("Open to the grid's workers")
    INTERNAL = "internal", _("Internal")
    SENSITIVE = "sensitive", _("Sensitive (every reading is recorded)")


class FileSection(models.TextChoices):
    """三知六掌握: what a cadre should know of each household."""

    BASIC = "basic", _("Basic information")
    DANGERS = "dangers", _("Hidden dangers")
    DISPUTES = "disputes", _("Disputes")
    EMPLOYMENT = "employment", _("Employment and income")
    EVENTS = "events", _("Major events")
    OFFENCES = "offences", _("Offences and key persons")
    AFFAIRS = "affairs", _("Village affairs")


class FileField(models.Model):
    """One item of the resident file, defined per installation (the seed names 40+ such items)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=50)
    section = models.CharField(_("section"), max_length=16, choices=FileSection.choices)
    sensitivity = models.CharField(_("sensitivity"), max_length=16, choices=Sensitivity.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resident file field")
        verbose_name_plural = _("resident file fields")
        ordering = ["section", "order", "code"]

    def __str__(self) -> str:
        return self.label


class FileEntry(models.Model):
    """A household's value of one field; changes are audited (before/after) by ``file_write``."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="file_entries")
    field = models.ForeignKey(FileField, on_delete=models.PROTECT, related_name="entries")
    value = models.TextField(_("value"), max_length=1000)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "field"], name="households_entry_once")]

    def __str__(self) -> str:  # never the value: it may be sensitive (PIPL), and reading it is audited
        return f"{self.household} · {self.field}"

    def scope_node(self) -> Node:
        return self.household.node


class CareTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    DISABILITY = "disability", _("Disability")
    LOW_INCOME = "low_income", _("Low income")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    KEY_PERSON = "key_person", _("Key person")


class PersonTag(models.Model):
    """A care or attention tag on a person: it sets how often their household is visited."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_tags")
    tag = models.CharField(_("tag"), max_length=20, choices=CareTag.choices)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="households_tag_once")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_tag_display()}"


class VisitFrequency(models.Model):
    """How many days may pass between visits of a household with a member carrying ``tag`` (data, per
    installation); households without a tag are visited every ``DEFAULT_VISIT_DAYS``."""

    tag = models.CharField(_("tag"), max_length=20, choices=CareTag.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days between visits"))

    class Meta:
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequencies")
        constraints = [models.CheckConstraint(condition=Q(days__gte=1, days__lte=366), name="households_days_range")]

    def __str__(self) -> str:
        return f"{self.get_tag_display()} · {self.days}"


class LinkKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Party member")
    GRID_WORKER = "grid_worker", _("Grid worker")


class LinkQuota(models.Model):
    """At least how many households a member of ``kind`` serves (1人7户)."""

    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices, unique=True)
    minimum = models.PositiveSmallIntegerField(_("at least"))

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.minimum}"


class Link(models.Model):
    """A member serving a household (联户); the next visit is due at ``visit_due_at`` (the deadline engine)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="links")
    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_links")
    kind = models.CharField(_("kind"), max_length=16, choices=LinkKind.choices)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")  # the household's, for the engine
    state = models.CharField(max_length=8, default="active")  # the deadline's stage: one, while linked
    visit_due_at = models.DateTimeField(_("next visit due"), null=True, db_index=True)
    created_at = models.DateTimeField(_("linked at"))
    ended_at = models.DateTimeField(_("unlinked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "member"], condition=Q(ended_at__isnull=True),
                                    name="households_link_once"),
        ]
        indexes = [models.Index(fields=["member", "ended_at"], name="households_link_member_idx")]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.household}"

    def scope_node(self) -> Node:
        return self.node


class NodeTally(models.Model):
    """Per node: the households whose node it is, and how many of them at least one member serves. Kept by
    database triggers on households and links (``households.tallies``), so a county's coverage sums one row
    per micro-grid instead of counting a million households."""

    node = models.OneToOneField(Node, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    households = models.IntegerField(default=0)
    linked = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.node.name}: {self.linked}/{self.households}"


class LoadTally(models.Model):
    """Per member, link kind and household node: the member's active links there (kept like ``NodeTally``)."""

    member = models.ForeignKey(Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    node = models.ForeignKey(Node, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    links = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind", "node"], name="households_load_once")]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.get_kind_display()} · {self.node.name}: {self.links}"


class ChecklistItem(models.Model):
    """One thing a visit checks (十必查), as data."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label


class Visit(models.Model):
    """A visit to a household, checked in on the phone."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_visits")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checked = models.JSONField(_("items checked"), default=list)
    note = models.TextField(_("what was found"), max_length=1000, blank=True)
    photo = models.ImageField(upload_to="visits/%Y/%m/", blank=True)
    report_id = models.BigIntegerField(null=True, blank=True)  # the report filed from it (reports app)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="households_visit_key_once"),
        ]
        indexes = [models.Index(fields=["household", "visited_at"], name="households_visit_idx")]

    def __str__(self) -> str:
        return f"{self.household} · {self.visited_at:%Y-%m-%d %H:%M}"

    def scope_node(self) -> Node:
        return self.node


class InspectionItem(models.Model):
    """One indicator of the monthly household inspection (庭院卫生, 垃圾分类 …), scored 0 … ``max_score``."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=50)
    max_score = models.PositiveSmallIntegerField(_("highest score"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(condition=Q(max_score__gte=1, max_score__lte=1000),
                                              name="households_item_max_range")]

    def __str__(self) -> str:
        return self.label


class Inspection(models.Model):
    """A household's inspection for one month: one per household and month (a correction replaces it)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="inspections")
    month = models.DateField(_("month"))  # the first day of the month
    scores = models.JSONField(_("scores"), default=dict)  # item code → score
    total = models.PositiveIntegerField(_("total"))
    inspector = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(_("inspected at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "month"], name="households_inspection_once")]
        indexes = [models.Index(fields=["month", "node", "total"], name="households_inspection_rank_idx"),
                   models.Index(fields=["month", "-total"], name="households_inspection_top_idx")]

    def __str__(self) -> str:
        return f"{self.household} · {self.month:%Y-%m} · {self.total}"

    def scope_node(self) -> Node:
        return self.node


class NameDisplay(models.TextChoices):
    FULL = "full", _("The head's full name and the house number")
    MASKED = "masked", _("The head's masked name and the house number")
    HOUSE_NUMBER = "house_number", _("The house number only")


class VillageBoard(models.Model):
    """How a village (or community) publishes its board: how households are named, how many make the red
    list (the best of the month) and the black list (the lowest, below ``black_below``)."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="village_board")
    name_display = models.CharField(_("households are shown by"), max_length=16, choices=NameDisplay.choices,
                                    default=NameDisplay.MASKED)
    red_count = models.PositiveSmallIntegerField(_("households on the red list"), default=10)
    black_count = models.PositiveSmallIntegerField(_("households on the black list at most"), default=5)
    black_below = models.PositiveSmallIntegerField(_("black list below this total"), default=60)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(red_count__lte=100, black_count__lte=100),
                                              name="households_board_counts")]

    def __str__(self) -> str:
        return self.node.name


class BranchRecordKind(models.TextChoices):
    """What a village's party branch uploads (村情通): its organisational life and the open village affairs."""

    THREE_MEETINGS = "three_meetings", _("三会一课 (meetings and party lectures)")
    THEME_DAY = "theme_day", _("主题党日 (themed party day)")
    AFFAIRS = "affairs", _("三务公开 (open party, village and finance affairs)")


class BranchRecord(models.Model):
    """A record a village's branch uploads: the day it was held, who attended, the minutes and a photo. A
    meeting or themed day fulfils the organisation's activity of the indices (``activity_id``, an
    ``indices.ActivityRecord``); it counts as on time when uploaded within ``ON_TIME_DAYS`` of the day held."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    kind = models.CharField(_("kind"), max_length=16, choices=BranchRecordKind.choices)
    activity = models.CharField(_("activity"), max_length=50, blank=True)  # e.g. 支部党员大会, for 三会一课
    held_on = models.DateField(_("held on"))
    attendees = models.PositiveSmallIntegerField(_("attendees"))
    minutes = models.TextField(_("minutes"), max_length=4000)
    photo = models.ImageField(upload_to="branch/%Y/%m/", blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), db_index=True)
    on_time = models.BooleanField(_("uploaded on time"))
    activity_id = models.BigIntegerField(null=True, blank=True)  # the indices' activity it fulfils
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("branch record")
        verbose_name_plural = _("branch records")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recorded_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="households_branch_key_once"),
            models.CheckConstraint(condition=Q(kind__in=[value for value, _label in BranchRecordKind.choices]),
                                   name="households_branch_kind_known"),
        ]
        indexes = [models.Index(fields=["node", "uploaded_at"], name="households_branch_node_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.node.name} · {self.held_on:%Y-%m-%d}"

    def scope_node(self) -> Node:
        return self.node


class Bulletin(models.Model):
    """The weekly bulletin of a street's villages (红榜村 / 黑榜村): one per street and week (its Monday)."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("street"))
    week = models.DateField(_("week beginning"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("village bulletin")
        verbose_name_plural = _("village bulletins")
        ordering = ["-week"]
        constraints = [models.UniqueConstraint(fields=["node", "week"], name="households_bulletin_once")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.week:%Y-%m-%d}"

    def scope_node(self) -> Node:
        return self.node


class Standing(models.TextChoices):
    RED = "red", _("红榜村")
    MIDDLE = "middle", _("Neither list")
    BLACK = "black", _("黑榜村")


class BulletinEntry(models.Model):
    """A village's line in a bulletin. A black-listed village owes its branch's records: the due item
    (``due_at``, the deadline engine) waits on the village's cadre until a record is uploaded."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="entries")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    rank = models.PositiveIntegerField(_("rank"))
    on_time = models.PositiveIntegerField(_("records on time"))
    late = models.PositiveIntegerField(_("records late"))
    use = models.PositiveIntegerField(_("platform use"))  # visits and inspections made in the village that week
    score = models.PositiveIntegerField(_("score"))
    standing = models.CharField(_("standing"), max_length=8, choices=Standing.choices)
    state = models.CharField(max_length=12, default="")  # "lagging" while the reminder's due item is open
    handler = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["rank", "node__path"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "node"], name="households_bulletin_entry_once")]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.rank}"

    def scope_node(self) -> Node:
        return self.node


class CreditConsent(models.Model):
    """A household's consent that its points and list standing go to a partner bank (积分授信), recorded by a
    cadre; revocable. At most one open consent per household and partner."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="credit_consents")
    partner = models.CharField(_("partner"), max_length=100)
    given_on = models.DateField(_("consent given on"))
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("credit consent")
        verbose_name_plural = _("credit consents")
        ordering = ["-recorded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["household", "partner"], condition=Q(revoked_at__isnull=True),
                                               name="households_credit_consent_open_once")]

    def __str__(self) -> str:
        return f"{self.household} · {self.partner}"

    def scope_node(self) -> Node:
        return self.household.node


class VisitPoints(models.Model):
    """Governance points a visit earns its visitor (through the ledger, from the paying node's budget): the
    highest of the rows for the tags of the household's members, else the row without a tag (every visit)."""

    tag = models.CharField(_("tag"), max_length=20, choices=CareTag.choices, blank=True, unique=True,
                           help_text=_("Empty: every visit of a household without a tag listed here."))
    points = models.PositiveSmallIntegerField(_("points per visit"))

    class Meta:
        verbose_name = _("points per visit")
        verbose_name_plural = _("points per visit")
        constraints = [models.CheckConstraint(condition=Q(points__lte=1000), name="households_visit_points_range")]

    def __str__(self) -> str:
        return f"{self.get_tag_display() if self.tag else _('Every visit')} · {self.points}"


class PatrolWindow(models.Model):
    """A time of day when people holding ``role`` in ``node``'s subtree patrol and check in (巡查打卡), on the
    weekdays listed (ISO digits, 1 Monday … 7 Sunday), in the installation's time zone."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    role = models.CharField(_("who patrols"), max_length=20, choices=Role.choices, default=Role.GRID_WORKER)
    label = models.CharField(_("name"), max_length=50)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345",
                                help_text=_("Digits of the days: 1 Monday … 7 Sunday."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("patrol window")
        verbose_name_plural = _("patrol windows")
        ordering = ["starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="households_window_ends_after"),
            models.CheckConstraint(condition=Q(weekdays__regex=r"^[1-7]{1,7}$"), name="households_window_weekdays"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.starts:%H:%M}–{self.ends:%H:%M} · {self.node.name}"

    def scope_node(self) -> Node:
        return self.node


class PatrolRound(models.Model):
    """One person's patrol in one window on one day: due at the window's end (the deadline engine) until they
    check in, when it records the time, place, photo and note. One per window, person and day."""

    window = models.ForeignKey(PatrolWindow, on_delete=models.PROTECT, related_name="rounds")
    worker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="patrol_rounds")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    day = models.DateField(_("day"))
    state = models.CharField(max_length=8, default="due")  # "due", then "done" at the check-in
    due_at = models.DateTimeField(_("due by"), null=True, blank=True, db_index=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, db_index=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    photo = models.ImageField(upload_to="patrols/%Y/%m/", blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        constraints = [
            models.UniqueConstraint(fields=["window", "worker", "day"], name="households_round_once"),
            models.UniqueConstraint(fields=["worker", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="households_round_key_once"),
        ]
        indexes = [models.Index(fields=["node", "day"], name="households_round_node_idx")]

    def __str__(self) -> str:
        return f"{self.worker.name} · {self.window.label} · {self.day:%Y-%m-%d}"

    def scope_node(self) -> Node:
        return self.node


class VillageRule(models.Model):
    """One article of a village's rules (村规民约), as data per village or community."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    code = models.SlugField(_("code"), max_length=32)
    text = models.CharField(_("rule"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("village rule")
        verbose_name_plural = _("village rules")
        ordering = ["node", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["node", "code"], name="households_rule_code_once")]

    def __str__(self) -> str:
        return self.text

    def scope_node(self) -> Node:
        return self.node


class RuleBreach(models.Model):
    """A household's breach of one of its village's rules; revoked (with a reason) rather than deleted."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="breaches")
    rule = models.ForeignKey(VillageRule, on_delete=models.PROTECT, related_name="breaches")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")  # the household's
    occurred_on = models.DateField(_("occurred on"))
    note = models.TextField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rule breach")
        verbose_name_plural = _("rule breaches")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["household", "occurred_on"], name="households_breach_idx")]

    def __str__(self) -> str:
        return f"{self.household} · {self.rule.text[:30]} · {self.occurred_on:%Y-%m-%d}"

    def scope_node(self) -> Node:
        return self.node
