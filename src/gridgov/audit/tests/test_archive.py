"""Audit records past their retention move to a compressed file, and only those, with a record of the move."""

import gzip
import hashlib
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from gridgov.audit.archive import archive_before
from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry
from gridgov.errors import DomainError
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def _records(days_ago: list[int]) -> None:
    now = timezone.now()
    AuditRecord.objects.bulk_create([
        AuditRecord(**{**_fields(f"old.{n}"), "created_at": now - timedelta(days=days)})
        for n, days in enumerate(days_ago)])


def _fields(action: str) -> dict:
    entry = audit_entry(actor=SYSTEM, action=action, after={"名字": "周居民"})
    return {f.attname: getattr(entry, f.attname) for f in AuditRecord._meta.concrete_fields if f.attname != "id"}


def test_records_before_the_date_go_to_the_file_and_leave_the_database(tmp_path):
    _records([2000, 1500, 1200, 30, 1])
    cutoff = timezone.now() - timedelta(days=1095)
    archive = archive_before(actor=SYSTEM, before=cutoff, directory=tmp_path)
    assert archive.count == 3
    lines = [json.loads(line) for line in gzip.open(archive.path, "rt", encoding="utf-8")]
    assert [line["action"] for line in lines] == ["old.0", "old.1", "old.2"]
    assert lines[0]["after"] == {"名字": "周居民"}
    assert archive.sha256 == hashlib.sha256(archive.path.read_bytes()).hexdigest()
    assert not AuditRecord.objects.filter(created_at__lt=cutoff).exists()
    assert set(AuditRecord.objects.values_list("action", flat=True)) == {"old.3", "old.4", "audit.archive"}
    record = AuditRecord.objects.get(action="audit.archive")
    assert record.after["count"] == 3 and record.after["sha256"] == archive.sha256


def test_the_trail_still_refuses_an_ordinary_delete_afterwards(tmp_path):
    _records([2000, 10])
    archive_before(actor=SYSTEM, before=timezone.now() - timedelta(days=1095), directory=tmp_path)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the test runner's own purge switch (conftest.py) off, as in production
            cursor.execute("DELETE FROM gridgov_audit_purge")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table}")
    assert AuditRecord.objects.count() == 2


def test_records_younger_than_six_months_are_never_archived(tmp_path):
    _records([100])
    with pytest.raises(DomainError) as refused:
        archive_before(actor=SYSTEM, before=timezone.now() - timedelta(days=30), directory=tmp_path)
    assert refused.value.code == "audit_retention"
    assert AuditRecord.objects.count() == 1 and not list(tmp_path.iterdir())


def test_an_existing_file_is_not_overwritten_and_nothing_is_deleted(tmp_path):
    _records([2000])
    cutoff = timezone.now() - timedelta(days=1095)
    name = f"audit-before-{timezone.localtime(cutoff):%Y%m%d}-to-{AuditRecord.objects.get().pk}.jsonl.gz"
    (tmp_path / name).write_text("kept")
    with pytest.raises(DomainError) as refused:
        archive_before(actor=SYSTEM, before=cutoff, directory=tmp_path)
    assert refused.value.code == "audit_archive_exists"
    assert (tmp_path / name).read_text() == "kept" and AuditRecord.objects.count() == 1


def test_the_command_counts_on_a_dry_run_and_refuses_a_bad_date(tmp_path, capsys):
    _records([2000, 1])
    call_command("audit", "archive", "--dry-run", "--dir", str(tmp_path))
    assert "1" in capsys.readouterr().out and AuditRecord.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("audit", "archive", "--before", "2026-13-40", "--dir", str(tmp_path))
    call_command("audit", "archive", "--dir", str(tmp_path))
    assert AuditRecord.objects.count() == 2 and len(list(tmp_path.iterdir())) == 1  # one old gone, the record of it came
