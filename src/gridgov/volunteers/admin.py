from django.contrib import admin

from gridgov.volunteers.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The need categories and their time windows are data: an installation sets its own here."""

    list_display = ["name", "code", "skill", "needs_review", "publish_minutes", "claim_minutes", "complete_minutes",
                    "wave_minutes", "is_active"]
    list_editable = ["is_active"]
