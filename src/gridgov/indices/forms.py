"""Cadre forms for the events indices read: activities held, news items, assessments with evidence."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.limits import COUNT_MAX, LimitedDateField
from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import Node


class NodeForm(forms.Form):
    node = NodeChoiceField(label=_("Organisation"), queryset=Node.objects.none())

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class ActivityForm(NodeForm):
    kind = forms.CharField(label=_("Activity (e.g. 支部党员大会, 党课)"), max_length=50)
    due_on = LimitedDateField(label=_("Due by"))
    held_on = LimitedDateField(label=_("Held on (empty: not held)"), required=False, past=True)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


class NewsForm(NodeForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    submitted_on = LimitedDateField(label=_("Submitted on"), past=True)
    adopted = forms.BooleanField(label=_("Adopted"), required=False)
    spread_count = forms.IntegerField(label=_("Times spread"), min_value=0, max_value=COUNT_MAX, initial=0)


class AssessmentForm(NodeForm):
    item = forms.SlugField(label=_("Assessment item (e.g. study, bonus, deduction, fortress)"), max_length=40)
    value = forms.DecimalField(label=_("Value"), max_digits=10, decimal_places=2)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    assessed_on = LimitedDateField(label=_("Assessed on"), past=True)
