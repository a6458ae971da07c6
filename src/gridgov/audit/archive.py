"""Archiving the audit trail past its retention: the records before a date go to a compressed file, then leave
the database, and one new record says what was archived, where, and the file's SHA-256.

The law asks network logs to be kept at least six months (网络安全法 第二十一条); an installation keeps them
``GRIDGOV_AUDIT_RETENTION_DAYS`` (three years by default, never less than ``MINIMUM_DAYS``). The file holds one
JSON object per line, every field of every record, oldest first, so it can be searched with ``zgrep`` or loaded
back. Records are deleted only up to the last one written, in one transaction with the record of the archive:
a record added meanwhile, or a failure half-way, loses nothing.

On PostgreSQL the trail is partitioned by month (``gridgov.audit.partitions``): a month every moment of which is
before the cut-off is not deleted row by row but its partition is dropped whole (no dead rows left to vacuum, no
index churn), after the partition, locked against writers, was counted: the records of the dropped partitions
plus those deleted one by one must be exactly the records written, or nothing is dropped or deleted. The month
of the cut-off (and any old row in the DEFAULT partition) is deleted row by row as on SQLite.
"""

import functools
import gzip
import hashlib
import json
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.partitions import Partition, whole_months_before
from gridgov.audit.services import audit_record
from gridgov.errors import Invalid

MINIMUM_DAYS = 183  # six months, rounded up
CHUNK = 5000


@dataclass
class Archive:
    count: int
    path: Path | None
    sha256: str


def archive_before(*, actor, before: datetime, directory: Path, dry_run: bool = False) -> Archive:
    """Write every audit record older than ``before`` to a file in ``directory``, then delete them."""
    if before > timezone.now() - timedelta(days=MINIMUM_DAYS):
        raise Invalid(_("Audit records are kept at least %(days)d days: choose a date before %(date)s.")
                      % {"days": MINIMUM_DAYS,
                         "date": f"{timezone.localdate() - timedelta(days=MINIMUM_DAYS):%Y-%m-%d}"},
                      code="audit_retention")
    old = AuditRecord.objects.filter(created_at__lt=before)
    last = old.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return Archive(0, None, "")
    count = old.filter(id__lte=last).count()
    if dry_run:
        return Archive(count, None, "")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-before-{timezone.localtime(before):%Y%m%d}-to-{last}.jsonl.gz"
    if path.exists():
        raise Invalid(_("%(file)s exists already: move it away first.") % {"file": path}, code="audit_archive_exists")
    digest, written = _write(path, old.filter(id__lte=last))
    whole = whole_months_before(before)
    one_by_one = old.filter(_outside(whole), id__lte=last)  # the rows of ``whole`` go with their partition
    with transaction.atomic():
        deleted = _delete(one_by_one) + _drop(whole)
        if deleted != written:
            raise Invalid(_("The archive holds %(written)d records but %(deleted)d would be deleted: nothing was "
                            "deleted.") % {"written": written, "deleted": deleted}, code="audit_archive_mismatch")
        audit_record(actor=actor, role="system", action="audit.archive", reason=str(path.name),
                     after={"before": before.isoformat(), "count": written, "last_id": last, "file": str(path),
                            "sha256": digest, "partitions": [partition.name for partition in whole]})
    return Archive(written, path, digest)


def _write(path: Path, records) -> tuple[str, int]:
    fields = [field.attname for field in AuditRecord._meta.concrete_fields]
    written = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in records.order_by("id").values(*fields).iterator(chunk_size=CHUNK):
            out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
            written += 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, written


def _delete(records) -> int:
    """Past the trail's append-only triggers for this one transaction (audit migration 0002)."""
    table = AuditRecord._meta.db_table
    query = records.query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('gridgov.purge', %s, true)", [table])
        else:
            cursor.execute("INSERT INTO gridgov_audit_purge (allowed) VALUES (1)")
            marker = cursor.lastrowid
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE {sql}", params)
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('gridgov.purge', '', true)")
        else:
            cursor.execute("DELETE FROM gridgov_audit_purge WHERE rowid = %s", [marker])
    return deleted


def _outside(whole: list[Partition]) -> Q:
    """The records before ``before`` outside the partitions in ``whole``, as ranges of ``created_at`` (so that
    PostgreSQL reads only the partitions that hold them)."""
    if not whole:
        return Q()
    ranges = [Q(created_at__lt=whole[0].start)]
    for earlier, later in zip(whole, whole[1:]):
        if earlier.end < later.start:
            ranges.append(Q(created_at__gte=earlier.end, created_at__lt=later.start))
    ranges.append(Q(created_at__gte=whole[-1].end))
    return functools.reduce(operator.or_, ranges)


def _drop(whole: list[Partition]) -> int:
    """Drop the month partitions entirely before the cut-off; the number of records they held.

    Each is locked against writers (SHARE) before it is counted, so the count is what is dropped; the caller's
    transaction compares it with the file and rolls everything back on a difference."""
    quote = connection.ops.quote_name
    count = 0
    with connection.cursor() as cursor:
        for partition in whole:
            cursor.execute(f"LOCK TABLE {quote(partition.name)} IN SHARE MODE")
            cursor.execute(f"SELECT count(*) FROM {quote(partition.name)}")
            count += cursor.fetchone()[0]
        for partition in whole:
            cursor.execute(f"DROP TABLE {quote(partition.name)}")
    return count
