"""The audit records behind many findings at once: a fixed number of queries, whatever the findings.

A finding lists the objects behind it (claims, postings); a supervisor also wants the audit records that
wrote them. Looking them up finding by finding made a page of many findings a query per finding; here every
finding's objects are looked up together (in chunks, so no statement passes a database's parameter limit)
and the records are handed back to each finding. No query keeps a model's default ordering: an ORDER BY
the index of a table's whole history would have SQLite read all of it in that order.
"""

from bisect import bisect_right
from collections import defaultdict

from gridgov.audit.models import AuditRecord, Outcome

# Ids listed per finding: a supervisor opens a few originals; the finding's title gives the full count.
EVIDENCE_LIMIT = 200
CHUNK = 2000


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def audit_records_behind(object_type: str, objects_per_finding: list[list[int]], actions) -> list[list[int]]:
    """For each finding's object ids, the ids of the audit records of ``actions`` that wrote them, the first
    ``EVIDENCE_LIMIT`` by id.

    A batch grant writes one record for all its postings, naming the (contiguous: the chain serialises
    writers) range of sequences it wrote, so postings also match the batch record whose range holds them.
    """
    wanted = sorted({object_id for objects in objects_per_finding for object_id in objects})
    records_of: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(wanted):
        for object_id, record in AuditRecord.objects.filter(
                object_type=object_type, object_id__in=[str(i) for i in chunk], action__in=actions,
                outcome=Outcome.DONE).order_by().values_list("object_id", "pk"):
            records_of[int(object_id)].add(record)
    if object_type == "ledger.posting" and wanted:
        for posting, record in _batch_records(wanted, actions):
            records_of[posting].add(record)
    return [sorted(set().union(*(records_of[i] for i in objects)))[:EVIDENCE_LIMIT] if objects else []
            for objects in objects_per_finding]


def _batch_records(postings: list[int], actions):
    """(posting id, batch record id) for every batch record whose sequence range holds one of ``postings``."""
    from gridgov.ledger.models import Posting

    sequences = []
    for chunk in chunks(postings):
        sequences += Posting.objects.filter(pk__in=chunk).order_by().values_list("pk", "sequence")
    if not sequences:
        return
    low, high = min(s for _p, s in sequences), max(s for _p, s in sequences)
    batches = sorted(AuditRecord.objects.filter(
        object_type="", object_id="", action__in=actions, outcome=Outcome.DONE,
        after__first_sequence__lte=high, after__last_sequence__gte=low,
    ).order_by().values_list("after__first_sequence", "after__last_sequence", "pk"))
    if not batches:
        return
    firsts = [first for first, _last, _pk in batches]
    reach = []  # reach[i]: the highest last sequence among batches[0..i], so overlapping ranges are all found
    for _first, last, _pk in batches:
        reach.append(max(last, reach[-1]) if reach else last)
    for posting, sequence in sequences:
        index = bisect_right(firsts, sequence) - 1
        while index >= 0 and reach[index] >= sequence:
            if batches[index][1] >= sequence:
                yield posting, batches[index][2]
            index -= 1
