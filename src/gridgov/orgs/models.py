"""The organisation/grid tree, the people in it and the roles they hold at its nodes."""

import hashlib
import re
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from gridgov.orgs.pinyin import initials_of

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


class NodeKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / township")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    COOPERATIVE = "cooperative", _("Economic cooperative")
    GRID = "grid", _("Grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")
    BUILDING = "building", _("Building")


# Which kinds may sit directly under which: the four-level grid system of SPEC §1, with buildings
# (seed 004) allowed wherever a building community hangs them.
CHILD_KINDS: dict[str | None, frozenset[str]] = {
    None: frozenset({NodeKind.DISTRICT, NodeKind.STREET}),
    NodeKind.DISTRICT: frozenset({NodeKind.STREET}),
    NodeKind.STREET: frozenset({NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE}),
    NodeKind.COMMUNITY: frozenset({NodeKind.GRID, NodeKind.BUILDING}),
    NodeKind.VILLAGE: frozenset({NodeKind.GRID, NodeKind.BUILDING}),
    NodeKind.COOPERATIVE: frozenset({NodeKind.GRID, NodeKind.BUILDING}),
    NodeKind.GRID: frozenset({NodeKind.MICRO_GRID, NodeKind.BUILDING}),
    NodeKind.BUILDING: frozenset({NodeKind.MICRO_GRID}),
    NodeKind.MICRO_GRID: frozenset({NodeKind.BUILDING}),
}


class Node(MP_Node):
    """One organisation or grid. ``path`` (materialised, from treebeard) makes a subtree one prefix query."""

    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_initials = models.CharField(_("pinyin initials"), max_length=100, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation node")
        verbose_name_plural = _("organisation nodes")
        indexes = [
            models.Index(fields=["kind"], name="orgs_node_kind_idx"),
            # LIKE 'prefix%' on PostgreSQL needs a pattern index; SQLite ignores the opclass.
            models.Index(fields=["path"], name="orgs_node_path_like_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.name_initials = initials_of(self.name)
        super().save(*args, **kwargs)

    def scope_node(self) -> "Node":
        """A node is in its own scope (every object that permissions check has ``scope_node()``)."""
        return self

    def covers(self, other: "Node") -> bool:
        """True if ``other`` is this node or lies below it."""
        return other.path.startswith(self.path)


class Person(models.Model):
    """A real person. Residents may have no login; everyone else logs in through ``user``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("real name"), max_length=50)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, editable=False, db_index=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_tail = models.CharField(_("ID number (last 4)"), max_length=4, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="orgs_person_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = initials_of(self.name)
        super().save(*args, **kwargs)

    @property
    def phone_masked(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else ""

    @property
    def name_masked(self) -> str:
        """The family name and a star per remaining character: 张** (how merchants and lists show people)."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)

    def set_id_number(self, id_number: str) -> None:
        """Keep only a keyed digest (for duplicate checks) and the last four characters (for display)."""
        id_number = id_number.strip().upper()
        self.id_number_digest = id_number_digest(id_number) if id_number else ""
        self.id_number_tail = id_number[-4:] if id_number else ""


def id_number_digest(id_number: str) -> str:
    return hashlib.blake2b(id_number.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=32).hexdigest()


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    STREET_CADRE = "street_cadre", _("Street cadre")
    COMMUNITY_CADRE = "community_cadre", _("Community cadre")
    PARTY_AUDITOR = "party_auditor", _("Party-committee auditor")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT = "resident", _("Resident")
    MERCHANT_STAFF = "merchant_staff", _("Merchant staff")
    SUPERVISOR = "supervisor", _("Supervisor")


class RoleAssignment(models.Model):
    """A person holds a role at a node; the role's reach is that node's subtree."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("node"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["person", "node", "role"], name="orgs_role_once_per_node"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="orgs_role_known"),
        ]
        indexes = [models.Index(fields=["node", "role"], name="orgs_role_node_role_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} @ {self.node.name}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its digest is stored; the token is shown once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.person} · {self.label or self.digest[:8]}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
