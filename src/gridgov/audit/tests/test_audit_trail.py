import pytest
from django.db import DatabaseError, connection, transaction

from gridgov.audit.append_only import AppendOnlyError
from gridgov.audit.models import AuditRecord
from gridgov.orgs import services


def test_node_rename_records_actor_role_and_before_after(street):
    services.node_update(actor=street.community_cadre, node=street.grid_a, name="东门一号网格")
    record = AuditRecord.objects.filter(action="node.update").get()
    assert record.actor_name == "李社区"
    assert record.actor_role == "community_cadre"
    assert record.before["name"] == "东门第一网格"
    assert record.after["name"] == "东门一号网格"
    assert record.node_path == street.grid_a.path


def test_audit_records_cannot_be_changed_through_the_orm(street):
    record = AuditRecord.objects.first()
    record.reason = "改写"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()


def test_database_trigger_refuses_raw_update(street):
    table = AuditRecord._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'tampered'")
    assert not AuditRecord.objects.filter(reason="tampered").exists()


def test_database_trigger_refuses_raw_delete_when_not_purging(street):
    table = AuditRecord._meta.db_table
    count = AuditRecord.objects.count()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM gridgov_audit_purge")
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(f"DELETE FROM {table}")
        transaction.set_rollback(True)
    assert AuditRecord.objects.count() == count


def test_request_id_is_carried_into_the_record(street, client):
    client.force_login(street.community_cadre.user)
    client.get("/", HTTP_X_REQUEST_ID="req-123")
    from gridgov.context import _request_id

    token = _request_id.set("req-456")
    try:
        services.node_update(actor=street.community_cadre, node=street.grid_b, name="二号")
    finally:
        _request_id.reset(token)
    assert AuditRecord.objects.get(action="node.update").request_id == "req-456"
