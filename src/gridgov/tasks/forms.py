"""Page forms. A double tap posts nothing twice: every POST form carries ``{% form_token %}``
(``gridgov.submissions``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.limits import DeadlineField
from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import at_or_above, under
from gridgov.tasks import selectors
from gridgov.tasks.models import Grade, Recurrence, WorkType
from gridgov.tasks.services import MAX_PHOTOS_PER_SUBMISSION, MAX_PLACES, MAX_POINTS, MAX_REASON, MAX_TEXT, MAX_TITLE

PUBLISH_KINDS = [NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE, NodeKind.GRID]


class PublishForm(forms.Form):
    node = forms.ModelChoiceField(label=_("Publish to"), queryset=Node.objects.none())
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=MAX_TEXT)
    work_type = forms.ModelChoiceField(label=_("Work type"), queryset=WorkType.objects.none())
    grade = forms.ModelChoiceField(label=_("Difficulty grade"), queryset=Grade.objects.none(), required=False)
    points = forms.IntegerField(label=_("Points (when no grade)"), min_value=1, max_value=MAX_POINTS, required=False)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_PLACES, initial=3)
    deadline = DeadlineField(label=_("Deadline"))
    requires_photo = forms.BooleanField(label=_("Photos required"), required=False, initial=True)
    requires_text = forms.BooleanField(label=_("Text required"), required=False, initial=True)
    requires_location = forms.BooleanField(label=_("Location required"), required=False)
    recurrence = forms.ChoiceField(label=_("Repeat"), choices=Recurrence.choices, required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        roots = role_paths(person, "task.publish")
        nodes = Node.objects.filter(kind__in=PUBLISH_KINDS)
        self.fields["node"].queryset = nodes.filter(under(roots, "path")).order_by("path")
        self.fields["work_type"].queryset = selectors.work_types()
        self.fields["work_type"].label_from_instance = lambda wt: f"{wt.module.name} · {wt.name}"
        grades = Grade.objects.filter(
            at_or_above(roots, "street__path") | under(roots, "street__path"))
        self.fields["grade"].queryset = grades.select_related("street").order_by("street", "order", "points")

    def clean(self):
        data = super().clean()
        if not data.get("grade") and not data.get("points"):
            raise forms.ValidationError(_("Choose a grade or give the points."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class EvidenceForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                           max_length=MAX_TEXT)
    photos = MultipleFileField(label=_("Photos (up to %(max)d)") % {"max": MAX_PHOTOS_PER_SUBMISSION}, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90, widget=forms.NumberInput(attrs={"step": "any"}))
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180, widget=forms.NumberInput(attrs={"step": "any"}))


class EvaluateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    adjustment = forms.IntegerField(label=_("Points adjustment"), required=False, initial=0, min_value=-MAX_POINTS,
                                    max_value=MAX_POINTS)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, required=False)


class AuditForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("send_back", _("Send back"))])
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, required=False)


class NoticeForm(forms.Form):
    node = NodeChoiceField(label=_("Post to"), queryset=Node.objects.none())
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        roots = role_paths(person, "notice.publish")
        nodes = Node.objects.filter(under(roots, "path"), kind__in=PUBLISH_KINDS)
        self.fields["node"].queryset = nodes.order_by("path")
