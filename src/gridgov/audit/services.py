"""Writing the audit trail. Every service that changes state calls ``audit_record`` in its transaction.

This is foundation: it knows objects only by duck typing (``pk``, ``name``, ``path``, ``scope_node()``),
so every app may write the trail and the trail imports none of them.
"""

import functools

from django.db import connection, models

from gridgov.audit.models import AuditRecord, Outcome
from gridgov.context import current_request_id


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of a model instance, JSON-ready, for before/after."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: getattr(instance, name) for name in names}


def audit_entry(
    *,
    actor,
    action: str,
    target=None,
    node=None,
    role: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    outcome: str = Outcome.DONE,
) -> AuditRecord:
    """An unsaved record, for writers that insert many at once with ``AuditRecord.objects.bulk_create``.

    ``actor`` is a Person (or ``SYSTEM``), ``node`` the node in whose scope it happened (defaults to the
    target's scope node).
    """
    if node is None and target is not None:
        node = _scope_node(target)
    return AuditRecord(
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "name", "") or "",
        actor_role=role,
        node_id=getattr(node, "pk", None),
        node_path=getattr(node, "path", "") or "",
        node_name=getattr(node, "name", "") or "",
        action=action,
        outcome=outcome,
        object_type=target._meta.label_lower if isinstance(target, models.Model) else "",
        object_id=str(target.pk) if isinstance(target, models.Model) and target.pk is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        reason=str(reason)[:500],
        request_id=current_request_id(),
    )


def _scope_node(target):
    """The tree node an object belongs to: every model in scope (a node included) has ``scope_node()``."""
    node = getattr(target, "scope_node", None)
    return node() if callable(node) else node


def audit_record(**fields) -> AuditRecord:
    """Append one record (same arguments as ``audit_entry``). Services call it inside their transaction.

    The row is the one ``record.save()`` would write (each column prepared by its own field), sent as one
    plain INSERT: every state change writes a record, and the ORM's per-call query compilation was the
    largest part of a points grant's Python time.
    """
    record = audit_entry(**fields)
    insert_sql, columns = _audit_insert()
    values = [field.get_db_prep_save(field.pre_save(record, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(insert_sql, values)
        record.pk = cursor.fetchone()[0]
    record._state.adding = False
    record._state.db = connection.alias
    return record


@functools.cache
def _audit_insert() -> tuple[str, list[models.Field]]:
    """The INSERT statement and the fields it fills: every concrete column but the primary key."""
    columns = [field for field in AuditRecord._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(AuditRecord._meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {quote(AuditRecord._meta.pk.column)}")
    return sql, columns


def audit_denied(*, actor, action: str, target=None, node=None, reason: str = "") -> AuditRecord:
    """Record a refused attempt, so oversight sees who tried what outside their role or area."""
    return audit_record(actor=actor, action=action, target=target, node=node, reason=reason, outcome=Outcome.DENIED)
