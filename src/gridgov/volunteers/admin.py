from django.contrib import admin

from gridgov.volunteers.models import Category, ServiceDay


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The need categories, their time windows and the points an hour earns are data: an installation sets its
    own here."""

    list_display = ["name", "code", "skill", "needs_review", "publish_minutes", "claim_minutes", "complete_minutes",
                    "wave_minutes", "points_per_hour", "is_active"]
    list_editable = ["is_active"]


@admin.register(ServiceDay)
class ServiceDayAdmin(admin.ModelAdmin):
    """Recurring service days (组团服务日, the 20th, 志愿服务周): cadres manage them on their page; here too."""

    list_display = ["name", "node", "cadence", "weekday", "day_of_month", "month", "start_time", "helpers",
                    "lead_days", "generated_until", "is_active"]
    list_filter = ["cadence", "is_active"]
    list_editable = ["is_active"]
    raw_id_fields = ["node", "owner"]
    readonly_fields = ["generated_until", "created_at", "idempotency_key"]
