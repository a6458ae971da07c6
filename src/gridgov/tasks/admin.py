"""Admin: the catalogue (modules, work types, grades) is edited here; tasks and claims are read-only here,
because their changes must go through the services (permission, state machine, audit trail, ledger)."""

from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin
from gridgov.tasks.models import Claim, Grade, Module, Notice, Task, WorkType


class WorkTypeInline(admin.TabularInline):
    model = WorkType
    extra = 0


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [WorkTypeInline]


@admin.register(WorkType)
class WorkTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "module", "code", "order", "is_active"]
    list_filter = ["module", "is_active"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "points", "order"]
    list_filter = ["street"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "node", "work_type", "points", "places", "claimed_count", "deadline", "status"]
    list_filter = ["status", "work_type__module"]
    search_fields = ["title"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["task", "worker", "state", "points_awarded", "claimed_at", "submitted_at", "audited_at"]
    list_filter = ["state"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "node", "author", "published_at"]
