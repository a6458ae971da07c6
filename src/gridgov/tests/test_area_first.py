"""``gridgov.sql.area_first``: an area's first rows come out in the same order whether they are sorted (a small
area) or read in the order of an index (a large one), on both databases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov import sql

pytestmark = pytest.mark.django_db


def test_a_small_and_a_large_area_give_the_same_first_rows_in_the_same_order():
    from gridgov.audit.models import AuditRecord

    now = timezone.now()
    # Equal times on purpose: the second key (pk) must decide between them in both ways of reading.
    AuditRecord.objects.bulk_create([
        AuditRecord(created_at=now - timedelta(minutes=i % 7), action="bench.area", outcome="done", node_id=i % 3,
                    node_path="", node_name="", actor_name="", actor_role="", object_type="", object_id="",
                    object_repr="", reason="", request_id="") for i in range(40)])
    area = AuditRecord.objects.filter(action="bench.area", node_id__in=[0, 2])
    sorted_ = list(sql.area_first(area, "-created_at", "pk", sort_at_most=100).values_list("pk", flat=True))
    walked = list(sql.area_first(area, "-created_at", "pk", sort_at_most=5).values_list("pk", flat=True))
    expected = [record.pk for record in sorted(area, key=lambda record: (-record.created_at.timestamp(), record.pk))]
    assert sorted_ == walked == expected and len(expected) == 27
    assert "COALESCE" in str(sql.area_first(area, "-created_at", sort_at_most=100).query)
    assert "COALESCE" not in str(sql.area_first(area, "-created_at", sort_at_most=5).query)
