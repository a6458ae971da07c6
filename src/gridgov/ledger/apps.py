from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gridgov.ledger"
    label = "ledger"
    verbose_name = _("Points ledger")

    def ready(self):
        from gridgov.ledger import engines, errors, permissions  # noqa: F401  (register codes, actions)
        from gridgov.orgs.signals import roles_changed

        engines.register()
        roles_changed.connect(_rehome_accounts, dispatch_uid="ledger.rehome_accounts")


def _rehome_accounts(sender, people, **kwargs):
    from gridgov.ledger.services import rehome_accounts

    rehome_accounts(people)
