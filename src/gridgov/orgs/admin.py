"""Admin for the tree, people, roles and API tokens.

Every write made here goes through ``gridgov.orgs.services``, so the admin is scope-checked and audited
like any other caller. Who acts:

- a user linked to a Person acts as that Person, with exactly that person's roles and area;
- a superuser with no Person (the account made by ``gridgov createsuperuser``) acts as ``SYSTEM``, the
  installer's explicit trusted actor: a superuser already holds the whole installation (database, users),
  so a narrower actor would protect nothing, and every change is still written to the audit trail
  (actor 系统, with the request id);
- any other staff user acts as ``None``, which the services refuse.

Operations no service offers are not offered here rather than done behind the audit trail's back: moving
or deleting nodes, deleting people (deactivate them instead), editing a role assignment in place (revoke
it and grant the new one) and issuing or editing API tokens.
"""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gridgov.admin import ReadOnlyAdmin
from gridgov.orgs import forms, selectors, services
from gridgov.orgs.models import ApiToken, Node, Person, RoleAssignment
from gridgov.orgs.permissions import SYSTEM, may_grant_role

admin.site.site_header = _("gridgov administration")
admin.site.site_title = _("gridgov administration")
admin.site.index_title = _("Organisations, people and the audit trail")


def admin_actor(user):
    """The actor the services see for this admin user (see the module docstring for why)."""
    person = selectors.person_for_user(user)
    if person is not None:
        return person
    return SYSTEM if user.is_superuser else None


class ServiceAdmin(admin.ModelAdmin):
    """Hands the request's actor to a ``forms.ServiceForm``; the form's service call is the save."""

    add_form: type[forms.ServiceForm]
    change_form: type[forms.ServiceForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = self.change_form if obj is not None else self.add_form
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = admin_actor(request.user)
        return form

    def save_model(self, request, obj, form, change):
        """Nothing left to do: the service saved (and audited) while the form validated."""

    def save_related(self, request, form, formsets, change):
        """No inlines and no many-to-many fields: everything went through the service."""


class LinkAdmin(ServiceAdmin):
    """Link rows (a role held, a till worked) that are added and removed through services, never edited.

    No bulk delete: each removal is checked and audited one by one (open the row). Subclasses say who
    may remove a row (``may_remove``) and which service removes it (``remove``).
    """

    def may_remove(self, actor, obj) -> bool:
        raise NotImplementedError

    def remove(self, actor, obj) -> None:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        actor = admin_actor(request.user)
        return actor is not None and self.may_remove(actor, obj) and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self.remove(admin_actor(request.user), obj)


def _node_widget():
    """Search-as-you-type for a node (by name, code or pinyin initials), for fields that are not FKs."""
    return AutocompleteSelect(RoleAssignment._meta.get_field("node"), admin.site)


@admin.register(Node)
class NodeAdmin(ServiceAdmin):
    add_form = forms.NodeAddForm
    change_form = forms.NodeChangeForm
    list_display = ["indented_name", "code", "kind", "name_initials", "children"]
    list_display_links = ["indented_name"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "name_initials"]
    ordering = ["path"]
    list_per_page = 100

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, node):
        """Indented by depth with ideographic spaces (the Content-Security-Policy refuses style attributes)."""
        return format_html("{}{}", "\u3000" * (node.depth - 1), node.name)

    @admin.display(description=_("children"), ordering="numchild")
    def children(self, node):
        return node.numchild

    @admin.display(description=_("parent"))
    def parent_name(self, node):
        parent = Node.objects.get_parent(node)
        return str(parent) if parent else "—"

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "parent_name", "name_initials", "created_at"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "parent" in form.base_fields:
            form.base_fields["parent"].widget = _node_widget()
        return form

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    add_form = forms.PersonAddForm
    change_form = forms.PersonChangeForm
    list_display = ["name", "masked_phone", "id_number_tail", "is_active", "user"]
    list_filter = ["is_active", "roles__role"]
    search_fields = ["name", "name_initials", "=phone"]
    list_select_related = ["user"]
    ordering = ["name_initials", "pk"]

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, person):
        return person.phone_masked or "—"

    @admin.display(description=_("roles"))
    def role_list(self, person):
        assignments = selectors.roles_of(person)
        return format_html_join(
            mark_safe("<br>"), "{} · {}", ((a.get_role_display(), a.node) for a in assignments)
        ) or "—"

    def get_readonly_fields(self, request, obj=None):
        return ["id_number_tail", "user", "role_list", "created_at"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "node" in form.base_fields:
            form.base_fields["node"].widget = _node_widget()
        return form

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(LinkAdmin):
    add_form = forms.RoleGrantForm
    change_form = forms.RoleGrantForm
    list_display = ["person", "role", "node", "created_at"]
    list_filter = ["role", "node__kind"]
    search_fields = ["person__name", "person__name_initials", "node__name", "node__code", "node__name_initials"]
    autocomplete_fields = ["person", "node"]
    list_select_related = ["person", "node"]
    ordering = ["node__path", "role"]

    def may_remove(self, actor, obj) -> bool:
        return may_grant_role(actor, obj.role, obj.node)

    def remove(self, actor, obj) -> None:
        services.role_revoke(actor=actor, assignment=obj)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only: tokens are issued to their owner (the secret is shown once) and only their digest is kept."""

    list_display = ["person", "label", "digest_start", "created_at", "last_used_at"]
    search_fields = ["person__name", "label"]
    list_select_related = ["person"]
    readonly_fields = ["person", "label", "digest", "created_at", "last_used_at"]
    fields = readonly_fields

    @admin.display(description=_("digest"))
    def digest_start(self, token):
        return f"{token.digest[:12]}…"
