from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin
from gridgov.notifications.models import Delivery, Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Messages are written by ``notify`` and read by their recipients; the admin only looks."""

    list_display = ["title", "kind", "recipient", "count", "updated_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "node"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["key", "status", "attempts", "last_error", "next_try_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["message"]
