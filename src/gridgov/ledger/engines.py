"""What the ledger feeds the shared engines: points granted and reversed, per person, for the indices, and the
kind of message it sends (``inbox``). Registered in ``apps.ready``."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.indices.publicity import Notice
from gridgov.indices.publicity import register as register_notice
from gridgov.indices.sources import Source, equals
from gridgov.indices.sources import register as register_events
from gridgov.ledger import inbox
from gridgov.ledger.models import AccountKind, Line, PostingKind


def checkpoint_notice():
    """The latest co-signed checkpoint, for the 亮分公示 list and the public organisation page."""
    from django.conf import settings
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext

    from gridgov.ledger import checkpoints, selectors

    checkpoint = selectors.latest_cosigned_checkpoint()
    if checkpoint is None:
        return None
    return Notice(gettext("Points ledger checkpoint"), [
        (gettext("%(size)d postings, signed %(time)s, co-signed by %(count)d supervisors.") % {
            "size": checkpoint.size, "time": date_format(localtime(checkpoint.created_at), "Y-m-d H:i"),
            "count": checkpoint.cosignatures.count()}, ""),
        (gettext("Root hash:"), checkpoint.root_hash),
        (gettext("Public key:"), checkpoints.log_verifier_key()),
        (gettext("Check your own points:"), settings.SITE_URL + "/verify/"),
    ])


def register() -> None:
    inbox.register()
    register_notice(checkpoint_notice)
    register_events(Source(
        code="ledger_points", label=_("Points postings (善治宝 ledger)"), model=Line, date_field="posting__created_at",
        is_datetime=True, person_field="account__person_id", node_path_field="account__node__path",
        value_field="amount",
        base=Q(account__kind=AccountKind.PERSON, posting__kind__in=[PostingKind.GRANT, PostingKind.REVERSAL]),
        filters={"reason": equals("posting__reason"), "reason_contains": lambda v: Q(posting__reason__contains=v),
                 "kind": equals("posting__kind")},
        describe_fields=("posting__reason", "posting__created_at", "amount"),
    ))
