"""Volunteer page forms. The services check everything again; these only shape the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.limits import DeadlineField
from gridgov.orgs.models import Node
from gridgov.volunteers.models import WEEKDAYS, Answer, Cadence, CalloutKind, Category, RequesterKind
from gridgov.volunteers.services import MAX_COMPANY, MAX_DESCRIPTION, MAX_HELPERS, MAX_PLACE, MAX_SKILLS, MAX_TITLE
from gridgov.widgets import QuickSelect


class LocationFields(forms.Form):
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=10, decimal_places=6,
                                   min_value=-180, max_value=180, widget=forms.HiddenInput)


class NeedForm(LocationFields):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True),
                                      empty_label=None)
    title = forms.CharField(label=_("What is needed"), max_length=MAX_TITLE)
    node = forms.ModelChoiceField(label=_("Where (your area)"), queryset=Node.objects.none(), empty_label=None,
                                  widget=QuickSelect)
    place = forms.CharField(label=_("Address"), max_length=MAX_PLACE)
    starts_at = DeadlineField(label=_("When"))
    helpers = forms.IntegerField(label=_("Helpers wanted"), min_value=1, max_value=MAX_HELPERS, initial=1)
    description = forms.CharField(label=_("Details"), max_length=MAX_DESCRIPTION, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    requester_kind = forms.ChoiceField(label=_("Asked by"), choices=RequesterKind.choices,
                                       initial=RequesterKind.RESIDENT)
    company = forms.CharField(label=_("Company (when a company asks)"), max_length=MAX_COMPANY, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(pk__in=[node.pk for node in nodes]).order_by("path")
        self.fields["node"].label_from_instance = lambda node: node.name
        self.fields["category"].label_from_instance = lambda category: category.name
        if nodes:
            self.initial.setdefault("node", nodes[-1].pk)


class JoinForm(LocationFields):
    node = forms.ModelChoiceField(label=_("Where you live or work"), queryset=Node.objects.none(), empty_label=None,
                                  widget=QuickSelect)
    skills = forms.CharField(label=_("Skills (separated by commas)"), max_length=MAX_SKILLS, required=False)
    is_party_member = forms.BooleanField(label=_("I am a party member"), required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(pk__in=[node.pk for node in nodes]).order_by("path")
        self.fields["node"].label_from_instance = lambda node: node.name


class CheckForm(LocationFields):
    minutes = forms.IntegerField(label=_("Minutes served (if less than the whole span)"), required=False,
                                 min_value=1, max_value=24 * 60)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Your rating"), choices=[("", "—")] + [(n, "★" * n) for n in range(5, 0, -1)],
                                    coerce=int, empty_value=None, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class CalloutForm(LocationFields):
    node = forms.ModelChoiceField(label=_("Area"), queryset=Node.objects.none(), empty_label=None,
                                  widget=QuickSelect)
    kind = forms.ChoiceField(label=_("Emergency"), choices=CalloutKind.choices)
    title = forms.CharField(label=_("What happened"), max_length=100)
    target = forms.IntegerField(label=_("People wanted"), min_value=1, max_value=100_000)
    assembly_point = forms.CharField(label=_("Assembly point"), max_length=200)
    radius_m = forms.IntegerField(label=_("Only within this radius of my location (metres)"), required=False,
                                  min_value=1, max_value=50_000)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(pk__in=[node.pk for node in nodes]).order_by("path")
        self.fields["node"].label_from_instance = lambda node: node.name


class AnswerForm(LocationFields):
    answer = forms.ChoiceField(choices=Answer.choices)


class ServiceDayForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    node = forms.ModelChoiceField(label=_("Where"), queryset=Node.objects.none(), empty_label=None,
                                  widget=QuickSelect)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True),
                                      empty_label=None)
    cadence = forms.ChoiceField(label=_("Repeats"), choices=Cadence.choices)
    weekday = forms.TypedChoiceField(label=_("Weekday (every week)"), required=False, coerce=int, empty_value=None,
                                     choices=[("", "—")] + list(enumerate(WEEKDAYS)))
    day_of_month = forms.IntegerField(label=_("Day of the month (every month)"), required=False, min_value=1,
                                      max_value=31)
    month = forms.IntegerField(label=_("Month (its last week, every year)"), required=False, min_value=1,
                               max_value=12)
    title = forms.CharField(label=_("What is needed"), max_length=MAX_TITLE)
    place = forms.CharField(label=_("Address"), max_length=MAX_PLACE)
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    helpers = forms.IntegerField(label=_("Helpers wanted"), min_value=1, max_value=MAX_HELPERS, initial=10)
    lead_days = forms.IntegerField(label=_("Posted this many days ahead"), min_value=1, max_value=60, initial=7)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = Node.objects.filter(pk__in=[node.pk for node in nodes]).order_by("path")
        self.fields["node"].label_from_instance = lambda node: node.name
        self.fields["category"].label_from_instance = lambda category: category.name


class RankingForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=[
        ("month", _("This month")), ("quarter", _("This quarter")), ("year", _("This year"))])
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.all(),
                                      empty_label=_("Every category"))
    order = forms.ChoiceField(label=_("Ranked by"), required=False, choices=[
        ("hours", _("Hours")), ("rating", _("Rating"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda category: category.name
