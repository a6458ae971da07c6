"""Report page forms. The photo input opens the phone's camera (``capture``); files are checked in the service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.media import PhotosField
from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import ancestor_paths
from gridgov.reports import selectors
from gridgov.reports.services import FILE_NODE_KINDS, MAX_ADDRESS, MAX_COMMENT, MAX_PHOTOS, MAX_REASON, MAX_TEXT


def nodes_for_reporter(person: Person):
    """The reporter's own nodes and those above them down to community level (where they live or work)."""
    paths = {prefix for path in role_paths(person, "report.file") for prefix in ancestor_paths(path)}
    return Node.objects.filter(path__in=paths, kind__in=FILE_NODE_KINDS).order_by("path")


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(label=_("What kind of problem"), queryset=None, empty_label=None,
                                      widget=forms.RadioSelect)
    node = NodeChoiceField(label=_("Where"), queryset=None, empty_label=None)
    text = forms.CharField(label=_("Describe the problem"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("Address or landmark"), max_length=MAX_ADDRESS, required=False)
    photos = PhotosField(label=_("Photos (the camera opens on a phone)"), required=False, limit=MAX_PHOTOS)
    public = forms.BooleanField(label=_("Show it and its handling on the village board (your name is never shown)"),
                                required=False)
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories()
        nodes = nodes_for_reporter(person)
        self.fields["node"].queryset = nodes
        deepest = max(nodes, key=lambda node: node.depth, default=None)
        if deepest is not None:
            self.initial.setdefault("node", deepest.pk)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("photos"):
            raise forms.ValidationError(_("Describe the problem or add a photo."))
        return data


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    useful = forms.BooleanField(label=_("The report was real and useful"), required=False, initial=True)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Your rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), max_length=MAX_COMMENT, required=False)


class ReassignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Hand to"), queryset=Person.objects.none())

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = (
            Person.objects.filter(is_active=True, roles__node__path__in=ancestor_paths(report.node.path),
                                  roles__role__in=["grid_worker", "grid_leader", "community_cadre", "street_cadre"])
            .exclude(pk=report.handler_id).distinct().order_by("name_initials"))


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=MAX_REASON, required=False)
