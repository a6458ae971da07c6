"""Reading the audit trail within a person's scope."""

from gridgov.audit.models import AuditRecord
from gridgov.orgs.models import Node
from gridgov.sql import within


def audit_records_under(*, node: Node, action: str = "", actor_id: int | None = None, since=None, until=None):
    """Records of ``node``'s subtree, newest first, narrowed by action prefix, actor and period."""
    records = AuditRecord.objects.filter(node_path__startswith=node.path)
    if action:
        records = records.filter(action__startswith=action)
    if actor_id is not None:
        records = records.filter(actor_id=actor_id)
    return within(records, "created_at", since, until)
