from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin
from gridgov.deadlines.models import Alert


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Alerts are raised and closed by the scan only: read-only here."""

    list_display = ["title", "level", "item_type", "recipient", "due_at", "created_at", "closed_at"]
    list_filter = ["level", "item_type"]
