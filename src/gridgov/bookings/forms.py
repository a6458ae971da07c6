"""Booking page forms. The services check everything again; these only shape the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.bookings import selectors
from gridgov.bookings.services import MAX_COMMENT, MAX_NOTE, MAX_PHONE, MAX_PHOTOS, MAX_REASON
from gridgov.media import PhotosField
from gridgov.orgs.models import Node


class RouteBookingForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("For the organisation"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    headcount = forms.IntegerField(label=_("People"), min_value=1, max_value=10_000)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=MAX_PHONE, required=False)
    note = forms.CharField(label=_("Note for the base"), max_length=MAX_NOTE, required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = selectors.organisations_for_booking(person)
        self.fields["organisation"].queryset = Node.objects.filter(pk__in=[node.pk for node in organisations])
        self.fields["organisation"].label_from_instance = lambda node: node.name
        if organisations:
            self.initial.setdefault("organisation", organisations[0].pk)


class BookingForm(RouteBookingForm):
    slot = forms.ModelChoiceField(label=_("Slot"), queryset=None, empty_label=None)
    field_order = ["organisation", "date", "slot", "headcount", "contact_phone", "note"]

    def __init__(self, *args, person, plan, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        self.fields["slot"].queryset = plan.base.slots.all()
        self.fields["slot"].label_from_instance = slot_label


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(coerce=lambda value: value == "1", choices=[("1", "1"), ("0", "0")])
    reason = forms.CharField(label=_("Reason (needed to decline)"), max_length=MAX_REASON, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=MAX_REASON, required=False)


class AttendanceForm(forms.Form):
    headcount = forms.IntegerField(label=_("People who came"), min_value=0, max_value=10_000, required=False)
    no_show = forms.BooleanField(label=_("Nobody came"), required=False)
    photos = PhotosField(label=_("Photos (the camera opens on a phone)"), required=False, limit=MAX_PHOTOS)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Your rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("What did you take away? (optional)"), max_length=MAX_COMMENT, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RescheduleForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    slot = forms.ModelChoiceField(label=_("Slot"), queryset=None, empty_label=None)

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = booking.base.slots.all()
        self.fields["slot"].label_from_instance = slot_label
        self.initial.setdefault("date", booking.date)
        self.initial.setdefault("slot", booking.slot_id)


class LiaisonForm(forms.Form):
    liaison = forms.ModelChoiceField(label=_("Liaison"), queryset=None, empty_label=None)

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = selectors.liaisons_of(booking.plan)
        self.fields["liaison"].label_from_instance = lambda person: person.name
        self.initial.setdefault("liaison", booking.liaison_id)


def slot_label(slot) -> str:
    return f"{slot.label} {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"


WEEKDAY_CHOICES = [("1", _("Mon")), ("2", _("Tue")), ("3", _("Wed")), ("4", _("Thu")), ("5", _("Fri")),
                   ("6", _("Sat")), ("7", _("Sun"))]


class BaseForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    open_weekdays = forms.MultipleChoiceField(label=_("Open on"), choices=WEEKDAY_CHOICES,
                                              widget=forms.CheckboxSelectMultiple)
    accessibility = forms.CharField(label=_("Accessibility"), max_length=300, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)


class BasePhotosForm(forms.Form):
    photos = PhotosField(label=_("Add photos"), limit=MAX_PHOTOS)


class PlanEditForm(forms.Form):
    theme = forms.CharField(label=_("Theme"), max_length=100)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=600)
    teaching = forms.CharField(label=_("Teaching list (one item a line)"), max_length=5000, required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))
    activities = forms.CharField(label=_("What the visitors do"), max_length=5000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    is_active = forms.BooleanField(label=_("Offered"), required=False)
