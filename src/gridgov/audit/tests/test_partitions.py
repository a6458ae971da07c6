"""The audit trail partitioned by month on PostgreSQL (audit migration 0003, ``gridgov.audit.partitions``), and
the archive dropping whole months. SQLite keeps one table: the checks there are that nothing pretends otherwise.

The migration is run backwards and forwards inside the test's transaction: PostgreSQL's DDL is transactional,
so the test database is back as it was afterwards."""

import gzip
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from gridgov.audit import partitions
from gridgov.audit.archive import archive_before
from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry, audit_record
from gridgov.errors import DomainError
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="the trail is partitioned on PostgreSQL only")
TABLE = AuditRecord._meta.db_table


def _fields(action: str, when) -> dict:
    entry = audit_entry(actor=SYSTEM, action=action, after={"名字": "周居民"})
    fields = {f.attname: getattr(entry, f.attname) for f in AuditRecord._meta.concrete_fields if f.attname != "id"}
    return {**fields, "created_at": when}


def _where(record_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [record_id])
        return cursor.fetchone()[0]


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", target)])


def _kind() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        return cursor.fetchone()[0]


def _months_ago(months: int) -> date:
    month = timezone.localdate().replace(day=1)
    for _step in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def test_sqlite_keeps_one_plain_table():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL partitions the trail")
    assert not partitions.is_partitioned() and partitions.partitions() == []
    assert partitions.ensure_partitions() == []


@postgres_only
def test_a_trail_with_rows_is_partitioned_by_the_migration_and_unpartitioned_back():
    _migrate("0002_archive_purge")
    assert _kind() == "r"
    now = timezone.now()
    ages = [400, 200, 95, 40, 3]  # five months with rows, one of them over a year ago
    AuditRecord.objects.bulk_create([AuditRecord(**_fields(f"old.{n}", now - timedelta(days=days)))
                                     for n, days in enumerate(ages)])
    before = {r.id: (r.action, r.created_at) for r in AuditRecord.objects.all()}
    highest = max(before)

    _migrate("0003_partition_by_month")
    assert _kind() == "p"
    assert {r.id: (r.action, r.created_at) for r in AuditRecord.objects.all()} == before
    for record_id, (_action, when) in before.items():  # each in its own month's partition
        assert _where(record_id) == partitions.partition_name(timezone.localdate(when))
    names = {p.name for p in partitions.partitions()}
    month = timezone.localdate().replace(day=1)
    for _step in range(partitions.AHEAD + 1):
        assert partitions.partition_name(month) in names
        month = partitions.next_month(month)
    assert partitions.DEFAULT_PARTITION in names

    record = audit_record(actor=SYSTEM, action="new.one")  # the plain INSERT … RETURNING id
    assert record.pk > highest and _where(record.pk) == partitions.partition_name(timezone.localdate())
    assert AuditRecord.objects.get(pk=record.pk).action == "new.one"
    orm = AuditRecord.objects.create(**_fields("orm.one", now))
    assert orm.pk == record.pk + 1
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET action = 'changed' WHERE id = %s", [record.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        indexes = " ".join(row[0] for row in cursor.fetchall())
    assert "(node_path varchar_pattern_ops, created_at)" in indexes and "(object_type, object_id)" in indexes
    assert "(id, created_at)" in indexes

    _migrate("0002_archive_purge")
    assert _kind() == "r"
    assert AuditRecord.objects.count() == len(before) + 2
    assert audit_record(actor=SYSTEM, action="after.back").pk == orm.pk + 1
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
    _migrate("0003_partition_by_month")
    assert _kind() == "p" and AuditRecord.objects.count() == len(before) + 3


@postgres_only
def test_a_month_without_its_partition_lands_in_default_and_moves_when_it_is_created():
    far = partitions.month_start(timezone.localdate() + timedelta(days=31 * (partitions.AHEAD + 3)))
    start, _end = partitions.month_bounds(far)
    early = AuditRecord.objects.create(**_fields("early", start + timedelta(hours=1)))
    assert _where(early.pk) == partitions.DEFAULT_PARTITION
    created = partitions.ensure_partitions(now=start)
    assert (partitions.partition_name(far), 1) in created
    assert _where(early.pk) == partitions.partition_name(far)
    assert AuditRecord.objects.get(pk=early.pk).action == "early"
    assert partitions.ensure_partitions(now=start) == []  # all there: nothing to do
    with pytest.raises(Exception, match="append-only"), transaction.atomic():  # the purge switch is off again
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [early.pk])


@postgres_only
def test_the_archive_drops_whole_months_and_deletes_the_rest_row_by_row(tmp_path):
    old_months = [_months_ago(60), _months_ago(59)]
    for month in old_months:
        partitions.create_partition(month)
    records = [
        AuditRecord(**_fields("whole.0", partitions.month_bounds(old_months[0])[0] + timedelta(days=2))),
        AuditRecord(**_fields("whole.1", partitions.month_bounds(old_months[0])[0] + timedelta(days=20))),
        AuditRecord(**_fields("whole.2", partitions.month_bounds(old_months[1])[0] + timedelta(days=5))),
        AuditRecord(**_fields("default.0", timezone.now() - timedelta(days=1400))),  # no partition: DEFAULT
        AuditRecord(**_fields("young", timezone.now() - timedelta(days=3))),
    ]
    AuditRecord.objects.bulk_create(records)
    assert _where(AuditRecord.objects.get(action="default.0").pk) == partitions.DEFAULT_PARTITION
    cutoff = timezone.now() - timedelta(days=1095)
    archive = archive_before(actor=SYSTEM, before=cutoff, directory=tmp_path)
    assert archive.count == 4
    lines = [json.loads(line) for line in gzip.open(archive.path, "rt", encoding="utf-8")]
    assert [line["action"] for line in lines] == ["whole.0", "whole.1", "whole.2", "default.0"]
    names = {p.name for p in partitions.partitions()}
    assert not names & {partitions.partition_name(month) for month in old_months}
    assert set(AuditRecord.objects.values_list("action", flat=True)) == {"young", "audit.archive"}
    record = AuditRecord.objects.get(action="audit.archive")
    assert record.after["count"] == 4
    assert sorted(record.after["partitions"]) == sorted(partitions.partition_name(m) for m in old_months)


@postgres_only
def test_a_record_arriving_in_a_month_about_to_be_dropped_stops_the_archive(tmp_path, monkeypatch):
    from gridgov.audit import archive as archive_module

    month = _months_ago(60)
    partitions.create_partition(month)
    when = partitions.month_bounds(month)[0] + timedelta(days=3)
    AuditRecord.objects.create(**_fields("written", when))
    write = archive_module._write

    def write_then_a_late_record(path, records):
        written = write(path, records)
        AuditRecord.objects.create(**_fields("late", when))  # backdated, after the file was written
        return written

    monkeypatch.setattr(archive_module, "_write", write_then_a_late_record)
    with pytest.raises(DomainError) as refused:
        archive_before(actor=SYSTEM, before=timezone.now() - timedelta(days=1095), directory=tmp_path)
    assert refused.value.code == "audit_archive_mismatch"
    assert partitions.partition_name(month) in {p.name for p in partitions.partitions()}
    assert set(AuditRecord.objects.values_list("action", flat=True)) == {"written", "late"}


@postgres_only
def test_the_deadline_scan_keeps_the_coming_months_partitioned():
    month = partitions.next_month(partitions.month_start(timezone.localdate()))
    name = partitions.partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")
    call_command("deadlines", "scan")
    assert name in {p.name for p in partitions.partitions()}


def test_the_admin_lists_and_opens_records_of_the_trail(admin_user):
    record = audit_record(actor=SYSTEM, action="admin.look")
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditrecord/").status_code == 200
    page = client.get(f"/admin/audit/auditrecord/{record.pk}/change/")
    assert page.status_code == 200 and "admin.look" in page.content.decode()


@postgres_only
def test_a_long_read_of_the_trail_makes_the_partition_wait_for_the_next_call(monkeypatch):
    import psycopg

    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "200ms")
    far = partitions.month_start(timezone.localdate() + timedelta(days=31 * (partitions.AHEAD + 8)))
    settings = connection.settings_dict
    reader = psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, dbname=settings["NAME"],
                             user=settings["USER"], password=settings["PASSWORD"])
    try:
        reader.execute(f"SELECT count(*) FROM {TABLE}")  # its transaction holds the trail until it ends
        assert partitions.ensure_partitions(now=partitions.month_bounds(far)[0]) == []
        assert partitions.partition_name(far) not in {p.name for p in partitions.partitions()}
    finally:
        reader.close()
    created = partitions.ensure_partitions(now=partitions.month_bounds(far)[0])
    assert (partitions.partition_name(far), 0) in created
