"""Reading the audit trail within a person's scope."""

from gridgov.audit.models import AuditRecord
from gridgov.orgs.models import Node


def audit_records_under(*, node: Node, action: str = "", actor_id: int | None = None, since=None, until=None):
    """Records of ``node``'s subtree, newest first, narrowed by action prefix, actor and period."""
    records = AuditRecord.objects.filter(node_path__startswith=node.path)
    if action:
        records = records.filter(action__startswith=action)
    if actor_id is not None:
        records = records.filter(actor_id=actor_id)
    if since is not None:
        records = records.filter(created_at__gte=since)
    if until is not None:
        records = records.filter(created_at__lt=until)
    return records
