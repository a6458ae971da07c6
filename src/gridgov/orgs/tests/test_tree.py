from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.orgs import selectors
from gridgov.orgs.models import Node


def test_subtree_is_one_query_and_in_tree_order(street):
    with CaptureQueriesContext(connection) as queries:
        codes = [n.code for n in selectors.subtree(street.community)]
    assert len(queries) == 1
    assert codes == ["C01", "G01", "M01", "M02", "G02", "M03"]


def test_subtree_with_depth_limit_stops_at_grids(street):
    assert [n.code for n in selectors.subtree(street.street, max_depth=1)] == ["S01", "C01", "V01"]


def test_ancestors_run_from_the_root(street):
    assert [n.code for n in selectors.ancestors(street.micro_a2)] == ["D01", "S01", "C01", "G01"]


def test_search_finds_by_pinyin_initials_within_scope(street):
    assert [n.code for n in selectors.search_nodes(street.street_cadre, "dmsq")] == ["C01"]
    assert [n.code for n in selectors.search_nodes(street.village_cadre, "dmsq")] == []


def test_search_finds_by_part_of_the_chinese_name(street):
    found = {n.code for n in selectors.search_nodes(street.community_cadre, "第二")}
    assert found == {"G02"}


def test_node_codes_are_unique(street):
    assert Node.objects.filter(code="C01").count() == 1
