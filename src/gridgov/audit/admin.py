"""The audit trail in the admin: searchable and filterable, and fully read-only (it is append-only)."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.admin import ReadOnlyAdmin
from gridgov.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "actor_role", "action", "outcome", "object_repr", "node_name"]
    list_filter = ["outcome", "action", "actor_role"]
    search_fields = ["actor_name", "action", "object_repr", "node_name", "object_id", "request_id", "=actor_id"]
    date_hierarchy = "created_at"
    list_per_page = 100

    class Media:
        css = {"all": ["gridgov/admin.css"]}
    fields = [
        "created_at", "actor_name", "actor_id", "actor_role", "action", "outcome", "reason",
        "object_type", "object_id", "object_repr", "node_name", "node_id", "node_path",
        "before_pretty", "after_pretty", "request_id",
    ]
    readonly_fields = fields

    @admin.display(description=_("before"))
    def before_pretty(self, record):
        return _pretty(record.before)

    @admin.display(description=_("after"))
    def after_pretty(self, record):
        return _pretty(record.after)


def _pretty(value):
    if value is None:
        return "—"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return format_html('<pre class="gg-json">{}</pre>', text)
