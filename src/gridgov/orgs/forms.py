"""Forms for the pages and for the admin. Admin forms write through ``gridgov.orgs.services`` only."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gridgov.errors import DomainError, message_of
from gridgov.orgs import services
from gridgov.orgs.models import Node, Person, Role, RoleAssignment
from gridgov.orgs.tree import ancestor_paths
from gridgov.widgets import QuickSelect

PLACE_SEPARATOR = " › "


def place_names(nodes) -> dict[str, str]:
    """Each node's name with its place, by path: the names of its ancestors among ``nodes`` and its own,
    e.g. "东门社区 › 第一网格 › 育才路1弄微网格". A child named after its parent ("东门社区第一网格") drops the
    repeated part, so a drop-down reads like the tree and never needs the node's code."""
    names = {node.path: node.name for node in nodes}
    labels = {}
    for path in sorted(names):
        label, above = names[path], None
        for ancestor in ancestor_paths(path, include_self=False):
            if ancestor in names:
                above = ancestor
        if above is not None:
            own, parent = names[path], names[above]
            if own.startswith(parent) and len(own) > len(parent):
                own = own[len(parent):]
            label = labels[above] + PLACE_SEPARATOR + own
        labels[path] = label
    return labels


class NodeChoiceField(forms.ModelChoiceField):
    """A choice of nodes labelled by name and place (``place_names``), never by code; drawn without a template
    per option (an area has hundreds of places)."""

    widget = QuickSelect

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._labels = None

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, node) -> str:
        if self._labels is None:
            self._labels = place_names(self.queryset)
        return self._labels.get(node.path, node.name)


class LoginForm(AuthenticationForm):
    """The stock login form with phone-friendly inputs (no auto-capitalising the login name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocapitalize="none", autocorrect="off", spellcheck="false")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class ServiceForm(forms.ModelForm):
    """An admin form whose whole write is one service call.

    The call is made while the form validates (in ``_post_clean``, where a ModelForm would otherwise copy
    the data onto the instance and validate the model), so a refusal or a validation error from the
    service is shown on the form instead of ending in a server error. A refused attempt is still recorded
    in the audit trail, because nothing after the call raises. ``actor`` is set by the admin for each
    request; ``save()`` then only hands back what the service returned.
    """

    actor = None

    def write(self):
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.instance = self.write()
        except DomainError as refused:
            self.add_error(None, message_of(refused))

    def save(self, commit=True):
        self.save_m2m = lambda: None
        return self.instance


class NodeAddForm(ServiceForm):
    parent = NodeChoiceField(
        Node.objects.order_by("path"), required=False, label=_("parent"),
        help_text=_("Leave empty only for a new top-level organisation."),
    )

    class Meta:
        model = Node
        fields = ["kind", "code", "name"]

    def write(self):
        data = self.cleaned_data
        return services.node_create(
            actor=self.actor, parent=data["parent"], kind=data["kind"], code=data["code"], name=data["name"]
        )


class NodeChangeForm(ServiceForm):
    class Meta:
        model = Node
        fields = ["code", "name"]

    def write(self):
        return services.node_update(
            actor=self.actor, node=self.instance, code=self.cleaned_data["code"], name=self.cleaned_data["name"]
        )


class PersonAddForm(ServiceForm):
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=18)
    username = forms.CharField(label=_("login name"), required=False, max_length=150,
                               help_text=_("Leave empty for a resident without a login."))
    password = forms.CharField(label=_("password"), required=False, widget=forms.PasswordInput(render_value=False))
    node = NodeChoiceField(Node.objects.order_by("path"), required=False, label=_("first role at"))
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False, label=_("first role"))

    class Meta:
        model = Person
        fields = ["name", "phone", "address"]

    def write(self):
        data = self.cleaned_data
        return services.person_create(
            actor=self.actor, name=data["name"], phone=data["phone"], id_number=data["id_number"],
            address=data["address"], username=data["username"], password=data["password"],
            node=data["node"], role=data["role"],
        )


# What the admin's person form changes. The admin rebuilds a form's ``Meta`` from its fieldsets, read-only
# fields included (``id_number_tail``, ``user``, …), so the write reads this list, not ``self.Meta.fields``.
PERSON_EDITABLE = ["name", "phone", "address", "is_active"]


class PersonChangeForm(ServiceForm):
    id_number = forms.CharField(label=_("new ID number"), required=False, max_length=18,
                                help_text=_("Leave empty to keep the one on record."))

    class Meta:
        model = Person
        fields = PERSON_EDITABLE

    def write(self):
        changes = {name: self.cleaned_data[name] for name in PERSON_EDITABLE}
        if self.cleaned_data["id_number"]:
            changes["id_number"] = self.cleaned_data["id_number"]
        return services.person_update(actor=self.actor, person=self.instance, **changes)


class RoleGrantForm(ServiceForm):
    class Meta:
        model = RoleAssignment
        fields = ["person", "node", "role"]

    def write(self):
        data = self.cleaned_data
        return services.role_grant(actor=self.actor, person=data["person"], node=data["node"], role=data["role"])

