"""The project package's admin: the one base of every admin page that only looks.

Rows whose changes must go through a service (permission, scope, state machine, audit trail, ledger) are shown
in the admin but never added, changed or deleted there, and offer no bulk actions. Apps import this base
instead of writing their own; the foundation holds it because every floor above may use it.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """View permission only: no add, change or delete page, and no bulk actions."""

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
