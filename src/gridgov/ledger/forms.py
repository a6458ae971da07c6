"""Forms of the points pages. Each write form carries a fresh idempotency key, so a double tap posts once."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.ledger.models import PostingKind
from gridgov.ledger.services import MAX_AMOUNT, PERIOD_PATTERN


def new_key() -> str:
    return f"form:{uuid.uuid4().hex}"


class PeriodField(forms.RegexField):
    def __init__(self, **kwargs):
        super().__init__(regex=PERIOD_PATTERN, required=False, label=_("Month"),
                         error_messages={"invalid": _("Write the month as YYYY-MM.")},
                         widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}), **kwargs)


class StatementFilter(forms.Form):
    period = PeriodField()
    reason = forms.ChoiceField(label=_("Kind"), required=False,
                               choices=[("", _("All"))] + list(PostingKind.choices))


class AwardForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=120)
    budget_node = forms.ChoiceField(label=_("Budget of"))
    person = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("Choose a person.")})
    amount = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_AMOUNT)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    memo = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, budget_nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_node"].choices = [(node.code, node.name) for node in budget_nodes]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class ReverseForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=120)
    reason = forms.CharField(label=_("Why is it reversed?"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class BudgetForm(forms.Form):
    node = forms.ChoiceField(label=_("Community or street"))
    period = forms.RegexField(regex=PERIOD_PATTERN, label=_("Month"),
                              error_messages={"invalid": _("Write the month as YYYY-MM.")},
                              widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.IntegerField(label=_("Budget (points)"), min_value=0, max_value=MAX_AMOUNT)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(node.code, node.name) for node in nodes]
