"""Cadre forms for the events indices read: activities held, news items, assessments with evidence."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node


class NodeForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Organisation"), queryset=Node.objects.none())

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class ActivityForm(NodeForm):
    kind = forms.CharField(label=_("Activity (e.g. 支部党员大会, 党课)"), max_length=50)
    due_on = forms.DateField(label=_("Due by"), widget=forms.DateInput(attrs={"type": "date"}))
    held_on = forms.DateField(label=_("Held on (empty: not held)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


class NewsForm(NodeForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=forms.DateInput(attrs={"type": "date"}))
    adopted = forms.BooleanField(label=_("Adopted"), required=False)
    spread_count = forms.IntegerField(label=_("Times spread"), min_value=0, max_value=10_000_000, initial=0)


class AssessmentForm(NodeForm):
    item = forms.SlugField(label=_("Assessment item (e.g. study, bonus, deduction, fortress)"), max_length=40)
    value = forms.DecimalField(label=_("Value"), max_digits=10, decimal_places=2)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"}))
