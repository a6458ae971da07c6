"""Household page forms. Limits match the services' (text refused, not cut); the services check again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.households.models import ChecklistItem, LinkKind, Relation
from gridgov.households.services import MAX_NOTE, MAX_VALUE
from gridgov.limits import LimitedDateField
from gridgov.media import PhotosField
from gridgov.reports.models import Category


class VisitForm(forms.Form):
    checked = forms.MultipleChoiceField(label=_("What I checked"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What I found"), max_length=MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photo (the camera opens on a phone)"), required=False, limit=1)
    report = forms.BooleanField(label=_("Turn what I found into a report (work order)"), required=False)
    category = forms.ModelChoiceField(label=_("Kind of problem"), queryset=Category.objects.none(), required=False)
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = [(item.code, item.label) for item in
                                          ChecklistItem.objects.filter(is_active=True)]
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("order")

    def clean(self):
        data = super().clean()
        if data.get("report"):
            if not data.get("category"):
                self.add_error("category", _("Choose the kind of problem for the report."))
            if not (data.get("note") or "").strip():
                self.add_error("note", _("Say what was found before turning it into a report."))
        return data


class FileValueForm(forms.Form):
    value = forms.CharField(label=_("Value"), max_length=MAX_VALUE, required=False)


class MoveInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, required=False)
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    moved_in = LimitedDateField(label=_("Moved in on"), past=True, initial=timezone.localdate)


class MoveOutForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**53 - 1)
    moved_out = LimitedDateField(label=_("Moved out on"), past=True, initial=timezone.localdate)


class LinkForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"))
    kind = forms.ChoiceField(label=_("Serves as"), choices=LinkKind.choices)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(person.pk, person.name) for person in members]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"), allow_empty_file=True)


class PatrolForm(forms.Form):
    note = forms.CharField(label=_("Note (what I saw on the patrol)"), max_length=MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("Photo (the camera opens on a phone)"), required=False, limit=1)
    window = forms.IntegerField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
