"""Admin for report categories and routing rules (data a platform admin edits); reports read-only."""

from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline
from gridgov.reports.models import Category, Report, ReportEvent, ReportWeek, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "response_hours", "resolution_hours", "auto_close_days", "points", "is_active"]
    list_editable = ["response_hours", "resolution_hours", "auto_close_days", "points", "is_active"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["node", "category", "handler_role", "priority"]
    raw_id_fields = ["node"]


class EventInline(ReadOnlyInline):
    model = ReportEvent
    readonly_fields = ["event", "from_state", "to_state", "actor_name", "note", "created_at"]
    fields = readonly_fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports change only through their workflow (services); the admin only looks."""

    list_display = ["pk", "category", "node", "state", "handler", "due_at", "created_at"]
    list_filter = ["state", "category", "escalation"]
    inlines = [EventInline]


@admin.register(ReportWeek)
class ReportWeekAdmin(ReadOnlyAdmin):
    """Reports per week, node path and category, for the cockpit: a cache of the reports, shown to check it."""

    list_display = ["week", "path", "category", "filed", "resolved", "on_time"]
    list_filter = ["week", "category"]
    search_fields = ["path"]
    list_select_related = ["category"]
    ordering = ["-week", "path", "category"]
    list_per_page = 100
    show_full_result_count = False
    fields = ["week", "path", "category", "filed", "resolved", "on_time"]
