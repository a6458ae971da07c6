"""Merchants, their catalogues, and spending points at them with a member's one-time code.

Scope rule ("foreign scope"): a member may pay at a merchant when the merchant's node covers at least
one node at which the member holds a role (resident of a micro-grid, grid worker of a grid, …). A
street-level merchant therefore serves the whole street; a community shop serves that community only;
a person whose only roles sit above the merchant's node (a street cadre at a community shop) is outside.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record, snapshot
from gridgov.errors import Invalid, PermissionDenied
from gridgov.ledger import services as ledger
from gridgov.ledger.errors import InsufficientFunds
from gridgov.ledger.selectors import balance_of, person_account
from gridgov.limits import text_within
from gridgov.orgs.models import Node, Person, Role
from gridgov.orgs.permissions import SYSTEM, require, role_paths
from gridgov.orgs.services import role_grant
from gridgov.orgs.tree import holds_role_under, is_under
from gridgov.rewards import selectors
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.models import CatalogueItem, ItemKind, Merchant, MerchantStaff, Redemption
from gridgov.rewards.tokens import IssuedToken, token_current, token_find, token_issue, token_mark_used  # noqa: F401

ITEM_FIELDS = ["merchant_id", "name", "kind", "points", "description", "stock", "is_active"]
MERCHANT_FIELDS = ["name", "node_id", "account_id", "is_active"]
IDEMPOTENCY_KEY_MAX = 64
MAX_PRICE = 1_000_000  # points an item costs, and its stock, are at most this
MAX_NAME = Merchant._meta.get_field("name").max_length
MAX_ITEM_NAME = CatalogueItem._meta.get_field("name").max_length
MAX_DESCRIPTION = CatalogueItem._meta.get_field("description").max_length


def merchant_create(*, actor, name: str, node: Node) -> Merchant:
    """Register a partner merchant in ``node``'s area and open its points account."""
    name = text_within(name, limit=MAX_NAME, label=_("The name"))
    if not name:
        raise Invalid(_("A name is required."))
    grant = require(actor, "rewards.manage", node)
    with transaction.atomic():
        if Merchant.objects.filter(node=node, name=name).exists():
            raise Invalid(_("A merchant called %(name)s already exists here.") % {"name": name})
        merchant = Merchant.objects.create(name=name, node=node)
        merchant.account = ledger.open_account(
            kind="merchant", owner_key=f"merchant:{merchant.pk}", name=name, node=node
        )
        merchant.save(update_fields=["account"])
        audit_record(actor=actor, role=_role(grant), action="merchant.create", target=merchant,
                     after=snapshot(merchant, MERCHANT_FIELDS))
    return merchant


def merchant_set_active(*, actor, merchant: Merchant, is_active: bool) -> Merchant:
    grant = require(actor, "rewards.manage", merchant)
    with transaction.atomic():
        before = snapshot(merchant, MERCHANT_FIELDS)
        Merchant.objects.filter(pk=merchant.pk).update(is_active=is_active)
        merchant.is_active = is_active
        audit_record(actor=actor, role=_role(grant), action="merchant.update", target=merchant, before=before,
                     after=snapshot(merchant, MERCHANT_FIELDS))
    return merchant


def staff_add(*, actor, merchant: Merchant, person: Person) -> MerchantStaff:
    """Link ``person`` to the merchant's till.

    The person must also hold ``merchant_staff`` at a node covering the merchant; when they do not,
    the role is granted at the merchant's own node (through the orgs service, so the actor must be
    allowed to hand out that role there). A person who already holds roles, none of them in the
    actor's area, is refused: a manager may not pull people over from another area.
    """
    grant = require(actor, "rewards.manage", merchant)
    if actor is not SYSTEM and person.roles.exists() and not selectors.may_be_staff_of(manager=actor, candidate=person):
        audit_denied(actor=actor, action="merchant.staff_add", target=merchant,
                     reason="person outside the manager's area")
        raise PermissionDenied(_("%(person)s holds no role in your area.") % {"person": person.name})
    with transaction.atomic():
        covered = is_under(merchant.node.path, role_paths(person, roles=[Role.MERCHANT_STAFF]))
        if not covered:
            role_grant(actor=actor, person=person, node=merchant.node, role=Role.MERCHANT_STAFF)
        link, created = MerchantStaff.objects.get_or_create(merchant=merchant, person=person)
        if created:
            audit_record(actor=actor, role=_role(grant), action="merchant.staff_add", target=merchant,
                         after={"person_id": person.pk})
    return link


def item_create(
    *, actor, merchant: Merchant, name: str, points, kind: str = ItemKind.GOODS, description: str = "",
    stock: int | None = None,
) -> CatalogueItem:
    grant = require(actor, "rewards.manage", merchant)
    item = CatalogueItem(merchant=merchant)
    _apply_item_fields(item, name=name, points=points, kind=kind, description=description, stock=stock)
    with transaction.atomic():
        item.save()
        audit_record(actor=actor, role=_role(grant), action="merchant.item_create", target=item,
                     after=snapshot(item, ITEM_FIELDS))
    return item


def item_update(*, actor, item: CatalogueItem, **changes) -> CatalogueItem:
    """Change an item's name, price, kind, description, stock (None = unlimited) or active flag."""
    allowed = {"name", "points", "kind", "description", "stock", "is_active"}
    if unknown := set(changes) - allowed:
        raise Invalid(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    grant = require(actor, "rewards.manage", item)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().select_related("merchant__node").get(pk=item.pk)
        before = snapshot(item, ITEM_FIELDS)
        is_active = changes.pop("is_active", item.is_active)
        values = {field: getattr(item, field) for field in ("name", "points", "kind", "description", "stock")}
        values.update(changes)
        _apply_item_fields(item, **values)
        item.is_active = bool(is_active)
        item.save()
        audit_record(actor=actor, role=_role(grant), action="merchant.item_update", target=item, before=before,
                     after=snapshot(item, ITEM_FIELDS))
    return item


@dataclass(frozen=True)
class Inspection:
    """What the merchant's screen shows about a scanned code: never the member's full name or id."""

    merchant: Merchant
    member_masked: str
    balance: int
    code: str
    expires_at: datetime


def token_inspect(*, actor, token_string: str, merchant: Merchant | None = None) -> Inspection:
    """Check a member's code at the till: who (masked) and how many points, before choosing an item."""
    merchant = _staff_merchant(actor=actor, merchant=merchant)
    row = token_find(token_string)
    _require_in_scope(member=row.person, merchant=merchant)
    balance = points_of(row.person)
    return Inspection(merchant=merchant, member_masked=row.person.name_masked, balance=balance, code=row.code,
                      expires_at=row.expires_at)


def redeem(*, actor, token_string: str, item: CatalogueItem, idempotency_key: str) -> Redemption:
    """Spend a member's points on ``item``: one ledger posting member → merchant, the code used up.

    The same ``idempotency_key`` (the form's, so a double tap or a retried request) returns the first
    redemption and moves nothing more. Every refusal raises ``RewardsRefusal`` before anything commits.
    """
    idempotency_key = (idempotency_key or "").strip()
    if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise Invalid(_("A confirmation key (1 to 64 characters) is required."))
    merchant = _staff_merchant(actor=actor, merchant=item.merchant)
    if existing := _replayed(idempotency_key=idempotency_key, actor=actor, item=item):
        return existing
    try:
        with transaction.atomic():
            redemption = _redeem_once(actor=actor, merchant=merchant, token_string=token_string, item=item,
                                      idempotency_key=idempotency_key)
    except (IntegrityError, RewardsRefusal):
        # A concurrent request with the same key may have won the race: its commit used the code up (this
        # one is refused ``token_used``) or took the key (an integrity error). Either way the replay is
        # answered with what the first one recorded; without a first one, the refusal stands.
        if existing := _replayed(idempotency_key=idempotency_key, actor=actor, item=item):
            return existing
        raise
    return redemption


def _redeem_once(*, actor, merchant: Merchant, token_string: str, item: CatalogueItem, idempotency_key: str):
    if not merchant.is_active:
        raise RewardsRefusal("merchant_inactive")
    item = CatalogueItem.objects.get(pk=item.pk)
    if item.merchant_id != merchant.pk:
        raise RewardsRefusal("item_not_of_merchant")
    if not item.is_active:
        raise RewardsRefusal("item_inactive")
    if item.stock is not None and item.stock < 1:
        raise RewardsRefusal("out_of_stock")
    row = token_find(token_string)
    member = row.person
    _require_in_scope(member=member, merchant=merchant)
    member_account = ledger.account_for_person(member)
    if balance_of(member_account) < item.points:
        raise RewardsRefusal("insufficient_points")
    token_mark_used(row)
    if item.stock is not None:
        taken = CatalogueItem.objects.filter(pk=item.pk, stock__gte=1).update(stock=F("stock") - 1)
        if taken != 1:
            raise RewardsRefusal("out_of_stock")
    redemption = Redemption.objects.create(
        member=member, merchant=merchant, item=item, item_name=item.name, points=item.points, token=row,
        staff=actor, idempotency_key=idempotency_key,
    )
    try:
        posting = ledger.post(
            actor=actor,
            lines=[(member_account, -item.points), (merchant.account, item.points)],
            reason=_("Points redemption"),
            idempotency_key=f"redemption:{idempotency_key}",
            source=redemption,
            memo=f"{merchant.name} · {item.name}",
            role=Role.MERCHANT_STAFF,
        )
    except InsufficientFunds:
        # The balance changed between our check and the posting (a concurrent spend): same refusal.
        raise RewardsRefusal("insufficient_points") from None
    redemption.posting = posting
    redemption.save(update_fields=["posting"])
    audit_record(
        actor=actor, role=Role.MERCHANT_STAFF, action="merchant.redeem", target=redemption,
        after={"member_id": member.pk, "item_id": item.pk, "points": item.points, "posting_id": posting.pk},
    )
    return redemption


def _replayed(*, idempotency_key: str, actor, item: CatalogueItem) -> Redemption | None:
    existing = Redemption.objects.select_related("merchant", "member").filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.staff_id != getattr(actor, "pk", None) or existing.item_id != item.pk:
        raise RewardsRefusal("idempotency_conflict")
    return existing


def _staff_merchant(*, actor, merchant: Merchant | None) -> Merchant:
    """The merchant whose till ``actor`` works (the given one, or their only one), or a refusal."""
    if actor is None or actor is SYSTEM or not getattr(actor, "is_active", False):
        raise RewardsRefusal("not_merchant_staff")
    if merchant is None:
        merchants = list(Merchant.objects.filter(staff__person=actor).select_related("node", "account")[:2])
        if len(merchants) != 1:
            raise RewardsRefusal("not_merchant_staff", _("Choose which merchant you are serving for."))
        merchant = merchants[0]
    if not MerchantStaff.objects.filter(merchant=merchant, person=actor).exists():
        audit_denied(actor=actor, action="rewards.redeem", target=merchant, reason="not staff of this merchant")
        raise RewardsRefusal("not_merchant_staff")
    require(actor, "rewards.redeem", merchant)
    return merchant


def points_of(person: Person) -> int:
    """A person's balance, without opening an account for someone who never had points."""
    account = person_account(person)
    return balance_of(account) if account is not None else 0


def member_in_scope(*, member: Person, merchant: Merchant) -> bool:
    """Whether the merchant's node covers any node where the member holds a role (see module docstring)."""
    return holds_role_under(member, merchant.node)


def _require_in_scope(*, member: Person, merchant: Merchant) -> None:
    if not member.is_active or not member_in_scope(member=member, merchant=merchant):
        raise RewardsRefusal("out_of_scope")


def _apply_item_fields(item: CatalogueItem, *, name, points, kind, description, stock) -> None:
    name = text_within(name, limit=MAX_ITEM_NAME, label=_("The name"))
    description = text_within(description, limit=MAX_DESCRIPTION, label=_("The description"))
    if not name:
        raise Invalid(_("A name is required."))
    if kind not in ItemKind.values:
        raise Invalid(_("Unknown kind: %(kind)s") % {"kind": kind})
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_PRICE:
        raise Invalid(_("The price must be a whole number of points from 1 to %(max)d.") % {"max": MAX_PRICE})
    if stock is not None and (isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= MAX_PRICE):
        raise Invalid(_("Stock must be a whole number from 0 to %(max)d (empty for unlimited).") % {"max": MAX_PRICE})
    item.name, item.kind, item.points = name, kind, points
    item.description, item.stock = description, stock


def _role(grant) -> str:
    return getattr(grant, "role", "") or ""


# ------------------------------------------------------------------------- the cadre's merchant pages

def merchant_create_once(*, actor, name: str, node: Node, creation_key: str) -> Merchant:
    """``merchant_create`` for a page form: the form's one-time key makes a double tap create one merchant.

    The same key returns the merchant it created. The permission is checked before the transaction, so a
    refusal's audit record is not rolled back with it.
    """
    key = _check_creation_key(creation_key)
    require(actor, "rewards.manage", node)
    if (existing := Merchant.objects.filter(creation_key=key).first()) is not None:
        return _replayed_creation(existing, same=existing.node_id == node.pk)
    try:
        with transaction.atomic():
            merchant = merchant_create(actor=actor, name=name, node=node)
            Merchant.objects.filter(pk=merchant.pk).update(creation_key=key)
    except IntegrityError:
        # A concurrent request won the race: with this key (a double tap), or with this name.
        if (existing := Merchant.objects.filter(creation_key=key).first()) is not None:
            return existing
        raise Invalid(_("A merchant called %(name)s already exists here.") % {"name": name}) from None
    merchant.creation_key = key
    return merchant


def item_create_once(*, actor, merchant: Merchant, creation_key: str, **fields) -> CatalogueItem:
    """``item_create`` for a page form: the same one-time key returns the item it created, not a twin."""
    key = _check_creation_key(creation_key)
    require(actor, "rewards.manage", merchant)
    if (existing := CatalogueItem.objects.filter(creation_key=key).first()) is not None:
        return _replayed_creation(existing, same=existing.merchant_id == merchant.pk)
    try:
        with transaction.atomic():
            item = item_create(actor=actor, merchant=merchant, **fields)
            CatalogueItem.objects.filter(pk=item.pk).update(creation_key=key)
    except IntegrityError:
        if (existing := CatalogueItem.objects.filter(creation_key=key).first()) is not None:
            return existing
        raise
    item.creation_key = key
    return item


def staff_remove(*, actor, link: MerchantStaff) -> None:
    """Unlink a person from the merchant's till (someone left the shop).

    The person keeps any ``merchant_staff`` role (they may serve at another shop, and roles are revoked
    through the orgs pages); without the link they can no longer take points at this merchant.
    """
    grant = require(actor, "rewards.manage", link)
    with transaction.atomic():
        deleted, _rows = MerchantStaff.objects.filter(pk=link.pk).delete()
        if deleted:
            audit_record(actor=actor, role=_role(grant), action="merchant.staff_remove", target=link.merchant,
                         before={"person_id": link.person_id})


def _check_creation_key(creation_key) -> str:
    key = (creation_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise Invalid(_("A confirmation key (1 to 64 characters) is required."))
    return key


def _replayed_creation(existing, *, same: bool):
    if not same:
        raise Invalid(_("This form was already used for something else. Reload the page and try again."))
    return existing
