"""``gridgov.sql.AnyOf``: a column is one of a list, bound as one array on PostgreSQL and as ``IN`` elsewhere, and
the column stays the queryset's own wherever the queryset goes (a subquery's rows, not the outer query's)."""

import pytest
from django.db.models import F

from gridgov.sql import AnyOf

pytestmark = pytest.mark.django_db


def test_the_rows_whose_column_is_one_of_the_list_and_none_for_an_empty_list(street):
    from gridgov.orgs.models import Node

    wanted = [street.grid_a.pk, street.grid_c.pk]
    assert set(Node.objects.filter(AnyOf(F("pk"), wanted)).values_list("code", flat=True)) == {"G01", "G03"}
    grids = [street.grid_a.depth]
    assert set(Node.objects.filter(AnyOf(F("depth"), grids)).values_list("code", flat=True)) == {"G01", "G02", "G03"}
    assert not Node.objects.filter(AnyOf(F("pk"), [])).exists()


def test_inside_a_subquery_the_column_is_the_subquerys_own(street):
    """Rows chosen in a subquery (``pk__in=`` another queryset, as ``pages.rows_first`` once chose a page's ids): a
    condition naming the table in raw SQL (``extra(where=…)``) there meant the outer query's row, a subquery run
    again for every row (86 s a page)."""
    from gridgov.orgs.models import Node

    inner = Node.objects.filter(AnyOf(F("depth"), [street.grid_a.depth])).order_by("code").values("pk")[:1]
    outer = Node.objects.filter(pk__in=inner)
    assert list(outer.values_list("code", flat=True)) == ["G01"]
    sql = str(outer.query)
    assert 'U0."depth"' in sql.partition("(SELECT")[2], sql
