from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import NodeKind
from gridgov.orgs.selectors import in_scope

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
    node = forms.ModelChoiceField(label=_("Village or community"), queryset=None, to_field_name="code")
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
