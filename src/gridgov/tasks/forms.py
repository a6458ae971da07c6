"""Page forms. A double tap posts nothing twice: every POST form carries ``{% form_token %}``
(``gridgov.submissions``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.limits import DeadlineField
from gridgov.media import PhotosField
from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.overview import breadcrumbs
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import COMMUNITY_KINDS, at_or_above, under
from gridgov.tasks import selectors
from gridgov.tasks.models import Grade, Recurrence, WorkType
from gridgov.tasks.services import MAX_PHOTOS_PER_SUBMISSION, MAX_PLACES, MAX_POINTS, MAX_REASON, MAX_TEXT, MAX_TITLE

PUBLISH_KINDS = [NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE, NodeKind.GRID]
# What a datetime-local input can show: the value as the browser sends it back, to the minute.
DEADLINE_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AreaField(forms.ModelMultipleChoiceField):
    """The areas a task goes to: ticked boxes, one per node (the page groups them by community, and with
    script adds a search by name or pinyin initials and shows the chosen ones as chips)."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, node):
        return node.name


class PublishForm(forms.Form):
    nodes = AreaField(label=_("Publish to"), queryset=Node.objects.none(), help_text=_(
        "One or several: the street, communities or grids. Each gets a task of its own."),
        error_messages={"required": _("Choose at least one area.")})
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=MAX_TEXT, help_text=_("What to do and what the photos should show."))
    work_type = forms.ModelChoiceField(label=_("Work type"), queryset=WorkType.objects.none(),
                                       empty_label=_("Choose a work type"))
    grade = forms.ModelChoiceField(label=_("Difficulty grade"), queryset=Grade.objects.none(), required=False,
                                   empty_label=_("No grade (give the points)"))
    points = forms.IntegerField(label=_("Points (when no grade)"), min_value=1, max_value=MAX_POINTS, required=False)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_PLACES, initial=3,
                                help_text=_("Per area: how many workers may claim it."))
    deadline = DeadlineField(label=_("Deadline"), widget=DEADLINE_WIDGET)
    requires_photo = forms.BooleanField(label=_("Photos required"), required=False, initial=True)
    requires_text = forms.BooleanField(label=_("Text required"), required=False, initial=True)
    requires_location = forms.BooleanField(label=_("Location required"), required=False)
    recurrence = forms.ChoiceField(label=_("Repeat"), choices=Recurrence.choices, required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        roots = role_paths(person, "task.publish")
        self.fields["nodes"].queryset = selectors.publish_areas(person=person, kinds=PUBLISH_KINDS)
        self.fields["work_type"].queryset = selectors.work_types()
        self.fields["work_type"].choices = work_type_choices(self.fields["work_type"])
        grades = Grade.objects.filter(
            at_or_above(roots, "street__path") | under(roots, "street__path"))
        self.fields["grade"].queryset = grades.select_related("street").order_by("street", "order", "points")

    def clean(self):
        data = super().clean()
        if not data.get("grade") and not data.get("points") and "points" not in self.errors:
            self.add_error("points", _("Choose a grade or give the points."))
        return data

    def full_clean(self):
        super().full_clean()
        mark_errors(self)

    def area_groups(self) -> list[dict]:
        """The areas grouped by community (the street on its own), each with its place in the tree."""
        nodes = list(self.fields["nodes"].queryset)
        chosen = {str(value) for value in (self.data.getlist("nodes") if self.is_bound else [])}
        crumbs = breadcrumbs(nodes)
        groups: dict[int, dict] = {}
        for node in nodes:
            above = [ancestor for ancestor in crumbs[node.pk] if ancestor.kind != NodeKind.DISTRICT]
            head = next((ancestor for ancestor in above if ancestor.kind in COMMUNITY_KINDS), node)
            group = groups.setdefault(head.pk, {"head": head, "place": " › ".join(
                ancestor.name for ancestor in above if ancestor.path < head.path), "areas": []})
            group["areas"].append({
                "node": node, "place": " › ".join([*(ancestor.name for ancestor in above), node.name]),
                "checked": str(node.pk) in chosen, "depth": node.depth - head.depth,
            })
        return list(groups.values())


class TaskEditForm(forms.Form):
    """What may change on a published task (``publishing.task_edit`` says how far, once workers claimed)."""

    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=MAX_TEXT)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_PLACES)
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DEADLINE_WIDGET)
    requires_photo = forms.BooleanField(label=_("Photos required"), required=False)
    requires_text = forms.BooleanField(label=_("Text required"), required=False)
    requires_location = forms.BooleanField(label=_("Location required"), required=False)

    def __init__(self, *args, task, **kwargs):
        self.task = task
        kwargs.setdefault("initial", {name: getattr(task, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["places"].min_value = max(task.claimed_count, 1)
        self.fields["places"].widget.attrs["min"] = max(task.claimed_count, 1)

    def clean_deadline(self):
        """Unchanged (to the minute, as the field shows it) stays as stored, even once it has passed."""
        value = self.cleaned_data["deadline"]
        if value == self.task.deadline.replace(second=0, microsecond=0):
            return self.task.deadline
        return DeadlineField().clean(value)

    def full_clean(self):
        super().full_clean()
        mark_errors(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is the task withdrawn?"), max_length=MAX_REASON, help_text=_(
        "Its workers read this. Places without work handed in are released; handed-in work is still evaluated."))

    def full_clean(self):
        super().full_clean()
        mark_errors(self)


def work_type_choices(field) -> list:
    """The work types grouped by module (``<optgroup>``), after a real empty choice."""
    groups: dict[str, list] = {}
    for work_type in field.queryset:
        groups.setdefault(work_type.module.name, []).append((work_type.pk, work_type.name))
    return [("", field.empty_label), *groups.items()]


def mark_errors(form) -> None:
    """Tie each refused field to its message (``aria-describedby``), for screen readers and the summary."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}-error"


class EvidenceForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                           max_length=MAX_TEXT)
    photos = PhotosField(label=_("Photos (up to %(max)d)") % {"max": MAX_PHOTOS_PER_SUBMISSION}, required=False)
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
