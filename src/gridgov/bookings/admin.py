"""Admin for the catalogue (sections, bases with their slots, plans, photos and closed days, routes, review
rules: data a platform admin edits); bookings read-only, since they change only through their workflow."""

from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline
from gridgov.bookings.models import (
    Base,
    BaseClosure,
    BasePhoto,
    BaseSlot,
    Booking,
    BookingEvent,
    Plan,
    ReviewRule,
    Route,
    RouteStop,
    Section,
)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]


class SlotInline(admin.TabularInline):
    model = BaseSlot
    extra = 0


class ClosureInline(admin.TabularInline):
    model = BaseClosure
    extra = 0


class PhotoInline(admin.TabularInline):
    model = BasePhoto
    extra = 0
    fields = ["image", "width", "height", "size"]
    readonly_fields = ["width", "height", "size"]

    def has_add_permission(self, request, obj=None):
        return False  # photos are added on the base's page, where they are resized and stripped of location


@admin.register(Base)
class BaseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "section", "is_active", "review_hours", "cutoff_hours"]
    list_filter = ["section", "is_active"]
    search_fields = ["name", "code", "address"]
    raw_id_fields = ["node"]
    filter_horizontal = ["staff"]
    inlines = [SlotInline, ClosureInline, PhotoInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["theme", "base", "duration_minutes", "is_active", "order"]
    list_filter = ["is_active", "base__section"]
    search_fields = ["theme", "base__name"]
    filter_horizontal = ["liaisons"]


class StopInline(admin.TabularInline):
    model = RouteStop
    extra = 0


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [StopInline]


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "base", "plan", "min_headcount", "reviewer_role", "reviewer_node",
                    "second_review", "review_hours", "priority", "is_active"]
    raw_id_fields = ["reviewer_node"]


class EventInline(ReadOnlyInline):
    model = BookingEvent
    readonly_fields = ["event", "from_state", "to_state", "actor_name", "note", "created_at"]
    fields = readonly_fields


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "base", "organisation", "date", "slot", "headcount", "state", "due_at"]
    list_filter = ["state", "base__section"]
    inlines = [EventInline]
