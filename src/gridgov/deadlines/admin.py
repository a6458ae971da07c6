from django.contrib import admin

from gridgov.deadlines.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts are raised and closed by the scan only: read-only here."""

    list_display = ["title", "level", "item_type", "recipient", "due_at", "created_at", "closed_at"]
    list_filter = ["level", "item_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
