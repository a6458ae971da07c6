"""Admin: the households configuration (resident file fields, visit frequencies and points, link quotas, the
visit checklist, inspection items, village boards, patrol windows, village rules) is edited here; households,
visits, patrol rounds and rule breaches are read-only, because their changes go through the services
(permission, scope, audit trail, ledger)."""

from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin
from gridgov.households.models import (
    ChecklistItem,
    FileField,
    Household,
    InspectionItem,
    LinkQuota,
    PatrolRound,
    PatrolWindow,
    RuleBreach,
    VillageBoard,
    VillageRule,
    Visit,
    VisitFrequency,
    VisitPoints,
)


@admin.register(FileField)
class FileFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "section", "sensitivity", "order", "is_active"]
    list_filter = ["section", "sensitivity", "is_active"]


@admin.register(VisitFrequency)
class VisitFrequencyAdmin(admin.ModelAdmin):
    list_display = ["tag", "days"]


@admin.register(VisitPoints)
class VisitPointsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tag", "points"]


@admin.register(LinkQuota)
class LinkQuotaAdmin(admin.ModelAdmin):
    list_display = ["kind", "minimum"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "order", "is_active"]
    list_filter = ["is_active"]


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "max_score", "order", "is_active"]
    list_filter = ["is_active"]


@admin.register(VillageBoard)
class VillageBoardAdmin(admin.ModelAdmin):
    list_display = ["node", "name_display", "red_count", "black_count", "black_below"]
    raw_id_fields = ["node"]


@admin.register(PatrolWindow)
class PatrolWindowAdmin(admin.ModelAdmin):
    list_display = ["label", "node", "role", "starts", "ends", "weekdays", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["node"]


@admin.register(VillageRule)
class VillageRuleAdmin(admin.ModelAdmin):
    list_display = ["text", "node", "code", "order", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["node"]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["code", "house_number", "address", "node"]
    search_fields = ["code", "house_number", "address"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "visitor", "visited_at", "report_id"]
    date_hierarchy = "visited_at"


@admin.register(PatrolRound)
class PatrolRoundAdmin(ReadOnlyAdmin):
    list_display = ["worker", "window", "day", "state", "checked_in_at", "node"]
    list_filter = ["state"]
    date_hierarchy = "day"


@admin.register(RuleBreach)
class RuleBreachAdmin(ReadOnlyAdmin):
    list_display = ["household", "rule", "occurred_on", "recorded_by", "revoked_at"]
    date_hierarchy = "occurred_on"
