"""Merchants, catalogues, staff, redemptions and codes in the admin.

Writes go through ``gridgov.rewards.services`` exactly as in ``gridgov.orgs.admin`` (same actor rule: the
admin user's Person, ``SYSTEM`` for a superuser with no Person, refused otherwise), so they are
scope-checked and audited, and a refusal is shown on the form. Operations no service offers are not
offered: renaming, moving or deleting a merchant (pause it instead), deleting a catalogue item (take it
off offer instead). Redemptions moved points through the ledger and codes are one-time secrets: both are
read-only, and a live code is never shown whole.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gridgov.admin import ReadOnlyAdmin
from gridgov.orgs.admin import LinkAdmin, ServiceAdmin
from gridgov.orgs.forms import ServiceForm
from gridgov.orgs.permissions import can
from gridgov.rewards import services
from gridgov.rewards.models import CatalogueItem, Merchant, MerchantStaff, Redemption, RedemptionToken

# ------------------------------------------------------------------------------------------------ forms


class MerchantAddForm(ServiceForm):
    class Meta:
        model = Merchant
        fields = ["name", "node"]

    def write(self):
        return services.merchant_create(actor=self.actor, name=self.cleaned_data["name"],
                                        node=self.cleaned_data["node"])


class MerchantChangeForm(ServiceForm):
    class Meta:
        model = Merchant
        fields = ["is_active"]

    def write(self):
        if not self.has_changed():
            return self.instance
        return services.merchant_set_active(actor=self.actor, merchant=self.instance,
                                            is_active=self.cleaned_data["is_active"])


class ItemAddForm(ServiceForm):
    class Meta:
        model = CatalogueItem
        fields = ["merchant", "name", "kind", "points", "description", "stock"]

    def write(self):
        data = self.cleaned_data
        return services.item_create(actor=self.actor, merchant=data["merchant"], name=data["name"], kind=data["kind"],
                                    points=data["points"], description=data["description"], stock=data["stock"])


class ItemChangeForm(ServiceForm):
    class Meta:
        model = CatalogueItem
        fields = ["name", "kind", "points", "description", "stock", "is_active"]

    def write(self):
        if not self.has_changed():
            return self.instance
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return services.item_update(actor=self.actor, item=self.instance, **changes)


class StaffAddForm(ServiceForm):
    class Meta:
        model = MerchantStaff
        fields = ["merchant", "person"]

    def write(self):
        return services.staff_add(actor=self.actor, merchant=self.cleaned_data["merchant"],
                                  person=self.cleaned_data["person"])


# ------------------------------------------------------------------------------------------------ admins


@admin.register(Merchant)
class MerchantAdmin(ServiceAdmin):
    add_form = MerchantAddForm
    change_form = MerchantChangeForm
    list_display = ["name", "node", "is_active", "balance", "created_at"]
    list_filter = ["is_active", "node__kind"]
    search_fields = ["name", "node__name", "node__code", "node__name_initials"]
    list_select_related = ["node", "account"]
    autocomplete_fields = ["node"]
    ordering = ["node__path", "name"]

    @admin.display(description=_("points received"), ordering="account__balance")
    def balance(self, merchant):
        return merchant.account.balance if merchant.account_id else 0

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "node", "account", "balance", "created_at", "catalogue", "till_staff"]

    @admin.display(description=_("catalogue"))
    def catalogue(self, merchant):
        """Listed, not inlined: items are added and changed on their own admin page (through the services)."""
        rows = [
            (reverse("admin:rewards_catalogueitem_change", args=[item.pk]), item.name, item.points,
             "" if item.is_active else _("(not offered)"))
            for item in merchant.items.order_by("points", "name")
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a> · {} {}', rows) or "—"

    @admin.display(description=_("till staff"))
    def till_staff(self, merchant):
        rows = [(link.person.name,) for link in merchant.staff.select_related("person").order_by("pk")]
        return format_html_join(mark_safe("<br>"), "{}", rows) or "—"

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ServiceAdmin):
    add_form = ItemAddForm
    change_form = ItemChangeForm
    list_display = ["name", "merchant", "kind", "points", "stock", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "description", "merchant__name"]
    list_select_related = ["merchant"]
    autocomplete_fields = ["merchant"]
    ordering = ["merchant__name", "points", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["merchant", "created_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MerchantStaff)
class MerchantStaffAdmin(LinkAdmin):
    add_form = StaffAddForm
    change_form = StaffAddForm
    list_display = ["person", "merchant", "created_at"]
    search_fields = ["person__name", "person__name_initials", "merchant__name"]
    list_select_related = ["person", "merchant"]
    autocomplete_fields = ["merchant", "person"]
    ordering = ["merchant__name", "person__name_initials"]

    def may_remove(self, actor, obj) -> bool:
        return can(actor, "rewards.manage", obj)

    def remove(self, actor, obj) -> None:
        services.staff_remove(actor=actor, link=obj)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "merchant", "item_name", "points", "member_masked", "staff", "posting"]
    list_filter = ["merchant__is_active"]
    search_fields = ["item_name", "merchant__name", "=idempotency_key", "=posting__sequence"]
    list_select_related = ["merchant", "member", "staff", "posting"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_per_page = 100
    fields = ["created_at", "merchant", "item", "item_name", "points", "member_masked", "staff", "posting",
              "code_masked", "idempotency_key"]
    readonly_fields = fields

    @admin.display(description=_("member"))
    def member_masked(self, redemption):
        return redemption.member.name_masked

    @admin.display(description=_("code"))
    def code_masked(self, redemption):
        return redemption.token.code_masked


@admin.register(RedemptionToken)
class RedemptionTokenAdmin(ReadOnlyAdmin):
    """Codes a member showed: who, when and whether used. A code still alive shows its first characters only."""

    list_display = ["code_shown", "person", "created_at", "expires_at", "used_at", "state"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["=code", "person__name"]
    list_select_related = ["person"]
    ordering = ["-created_at", "-id"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["code_shown", "person", "created_at", "expires_at", "used_at", "state"]
    readonly_fields = fields

    @admin.display(description=_("code"))
    def code_shown(self, token):
        return token.code if token.expires_at <= timezone.now() else token.code_masked

    @admin.display(description=_("state"))
    def state(self, token):
        if token.used_at is not None:
            return _("used")
        return _("expired") if token.expires_at <= timezone.now() else _("live")
