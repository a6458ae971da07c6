from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import NodeKind
from gridgov.orgs.selectors import in_scope
from gridgov.rewards.models import ItemKind

DIVIDEND_NODE_KINDS = [NodeKind.VILLAGE, NodeKind.COMMUNITY, NodeKind.COOPERATIVE]


class CodeForm(forms.Form):
    """What the till types or pastes: the 8-character code or the QR text."""

    token = forms.CharField(label=_("Member's points code"), max_length=200,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                          "spellcheck": "false", "autofocus": True,
                                                          "placeholder": "XXXX-XXXX"}))
    merchant = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=200, widget=forms.HiddenInput)
    merchant = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    item = forms.IntegerField(label=_("Item"), error_messages={"required": _("Choose an item.")})


class DividendForm(forms.Form):
    node = NodeChoiceField(label=_("Village or community"), queryset=None, to_field_name="code")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    amount = forms.DecimalField(label=_("Dividend (yuan)"), min_value=0.01, max_digits=12, decimal_places=2)
    unit = forms.ChoiceField(label=_("Share out per"), choices=[("household", _("household")),
                                                                 ("person", _("person"))], initial="household")

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        from gridgov.orgs.models import Node

        self.fields["node"].queryset = in_scope(person, Node.objects.filter(kind__in=DIVIDEND_NODE_KINDS)).order_by(
            "path"
        )
        self.fields["year"].initial = timezone.localdate().year - 1


class MerchantForm(forms.Form):
    """A new partner merchant. ``creation_key`` is fresh per form shown, so a double tap creates one."""

    name = forms.CharField(label=_("Merchant name"), max_length=100)
    node = NodeChoiceField(label=_("Area"), queryset=None, empty_label=None,
                          help_text=_("Members living or working in this area may pay here with points."))
    creation_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Item name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.GOODS)
    points = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=1_000_000, required=False,
                               widget=forms.NumberInput(attrs={"placeholder": _("Unlimited")}),
                               help_text=_("Leave empty for unlimited (a discount rule usually is)."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False,
                                  # xgettext:no-python-format
                                  widget=forms.TextInput(attrs={"placeholder": _("e.g. 10% off with points")}))
    creation_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ItemUpdateForm(forms.Form):
    points = forms.IntegerField(label=_("Price in points"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=1_000_000, required=False,
                               widget=forms.NumberInput(attrs={"placeholder": _("Unlimited")}),
                               help_text=_("Empty means unlimited."))
    is_active = forms.BooleanField(label=_("Offered"), required=False)


class StaffAddForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput,
                                error_messages={"required": _("Choose a person from the search results.")})
