from django.contrib import admin

from gridgov.notifications.models import Delivery, Message


class ReadOnly(admin.ModelAdmin):
    """Messages are written by ``notify`` and read by their recipients; the admin only looks."""

    def has_add_permission(self, request, obj=None):
        return False

    has_change_permission = has_delete_permission = has_add_permission


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ["title", "kind", "recipient", "count", "updated_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "node"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["key", "status", "attempts", "last_error", "next_try_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["message"]
