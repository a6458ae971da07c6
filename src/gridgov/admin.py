"""The project package's admin: the one base of every admin page that only looks.

Rows whose changes must go through a service (permission, scope, state machine, audit trail, ledger) are shown
in the admin but never added, changed or deleted there, and offer no bulk actions. Apps import this base
instead of writing their own; the foundation holds it because every floor above may use it.
"""

from django.contrib import admin


class ReadOnly:
    """View permission only: nothing added, changed or deleted (a model's admin or an inline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """No add, change or delete page, and no bulk actions."""

    def get_actions(self, request):
        return {}


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """The rows a parent's service writes with it (its lines, its events), shown on the parent's page as text."""

    extra = 0
    show_change_link = False
