"""Partner merchants, what they sell for points, and the one-time codes members show to pay with points."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person


class Merchant(models.Model):
    """A partner shop scoped to a node (a community, a village or the whole street) with its own ledger account.

    The node is the merchant's area: its staff may only take points from members who live or work
    inside it (see ``services.member_in_scope``).
    """

    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="merchants", verbose_name=_("area"))
    account = models.OneToOneField(
        "ledger.Account", on_delete=models.PROTECT, null=True, editable=False, related_name="merchant",
        verbose_name=_("points account"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The one-time key of the page form that created it: a double tap finds this row instead of a second one.
    creation_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="rewards_merchant_name_per_node")]

    def __str__(self) -> str:
        return self.name

    def scope_node(self) -> Node:
        return self.node


class MerchantStaff(models.Model):
    """A person who may work the merchant's till. They also hold ``merchant_staff`` at a covering node."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff", verbose_name=_("merchant"))
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="merchant_links", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merchant staff")
        verbose_name_plural = _("merchant staff")
        constraints = [models.UniqueConstraint(fields=["merchant", "person"], name="rewards_staff_once")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.merchant}"

    def scope_node(self) -> Node:
        return self.merchant.node


class ItemKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    DISCOUNT = "discount", _("Discount")


class CatalogueItem(models.Model):
    """Goods, or a discount rule ("凭积分享受9折"), priced in points. ``stock`` None means unlimited."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="items", verbose_name=_("merchant")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.GOODS)
    points = models.PositiveIntegerField(_("price in points"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty means unlimited."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    creation_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["merchant", "points", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gt=0), name="rewards_item_price_positive"),
            models.CheckConstraint(
                condition=models.Q(stock__isnull=True) | models.Q(stock__gte=0), name="rewards_item_stock_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=ItemKind.values), name="rewards_item_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}）"

    def scope_node(self) -> Node:
        return self.merchant.node


class RedemptionToken(models.Model):
    """One short-lived, single-use code a member shows on the phone.

    The QR code carries a signed random ``nonce`` (nothing about the person); ``code`` is a short
    human-typeable alias of the same token for when the camera fails. ``used_at`` is set by a conditional
    UPDATE in the redeeming transaction, so a token pays at most once.
    """

    nonce = models.CharField(max_length=32, unique=True)
    code = models.CharField(_("code"), max_length=8, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="redemption_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("redemption code")
        verbose_name_plural = _("redemption codes")
        indexes = [models.Index(fields=["person", "expires_at"], name="rewards_token_person_idx")]

    def __str__(self) -> str:
        return f"{self.code_masked} · {self.person}"

    @property
    def code_masked(self) -> str:
        """The first two characters only: a live code is a bearer secret, so lists and logs never show it whole."""
        return f"{self.code[:2]}••-••••"


class Redemption(models.Model):
    """A member paid ``points`` for ``item`` at ``merchant``; ``posting`` is the ledger entry that moved them."""

    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("member"))
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("merchant")
    )
    item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("item")
    )
    item_name = models.CharField(_("item"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    token = models.OneToOneField(RedemptionToken, on_delete=models.PROTECT, related_name="redemption")
    posting = models.OneToOneField(
        "ledger.Posting", on_delete=models.PROTECT, null=True, related_name="redemption", verbose_name=_("posting")
    )
    staff = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="redemptions_served", verbose_name=_("served by")
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "created_at"], name="rewards_redeem_merchant_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="rewards_redemption_positive")]

    def __str__(self) -> str:
        return f"{self.member.name_masked} · {self.item_name} · {self.points}"

    def scope_node(self) -> Node:
        return self.merchant.node
