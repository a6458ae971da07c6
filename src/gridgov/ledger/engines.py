"""What the ledger feeds the shared engines: points granted and reversed, per person, for the indices, and the
kind of message it sends (``inbox``). Registered in ``apps.ready``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.indices.sources import Source, equals
from gridgov.indices.sources import register as register_events
from gridgov.ledger import inbox
from gridgov.ledger.models import AccountKind, Line, PostingKind


def register() -> None:
    inbox.register()
    register_events(Source(
        code="ledger_points", label=_("Points postings (善治宝 ledger)"), model=Line, date_field="posting__created_at",
        is_datetime=True, person_field="account__person_id", node_path_field="account__node__path",
        value_field="amount",
        base=Q(account__kind=AccountKind.PERSON, posting__kind__in=[PostingKind.GRANT, PostingKind.REVERSAL]),
        filters={"reason": equals("posting__reason"), "reason_contains": lambda v: Q(posting__reason__contains=v),
                 "kind": equals("posting__kind")},
        describe_fields=("posting__reason", "posting__created_at", "amount"),
    ))
