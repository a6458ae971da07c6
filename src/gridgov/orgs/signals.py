"""What the organisation tree tells the other apps, which it does not import."""

from django.dispatch import Signal

# Sent inside the transaction that gave or took roles, with ``people``: the ids of the persons concerned.
# The ledger moves their accounts to their new home node (``ledger.services.rehome_accounts``).
roles_changed = Signal()
