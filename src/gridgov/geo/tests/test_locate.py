"""Which node covers a point, and reports placed and routed by their location."""

import pytest
from django.utils import translation

from gridgov.errors import DomainError
from gridgov.geo import selectors
from gridgov.reports import services as reports
from gridgov.reports.models import Category


@pytest.mark.parametrize("lon, lat, code", [
    (119.52, 28.05, "M01"),
    (119.58, 28.05, "M02"),
    (119.55, 28.15, "M03"),
    (119.65, 28.10, "G03"),  # the village's grid has no micro-grids
])
def test_a_point_lands_in_the_deepest_node_that_covers_it(drawn, lon, lat, code):
    assert selectors.node_at(lon=lon, lat=lat).code == code


def test_a_point_on_an_edge_between_two_micro_grids_lands_in_the_first_in_tree_order_every_time(drawn):
    on_edge = dict(lon=119.55, lat=28.05)  # the edge M01 | M02
    assert {selectors.node_at(**on_edge).code for _attempt in range(3)} == {"M01"}


def test_a_point_on_the_outer_edge_and_on_a_corner_counts_as_inside(drawn):
    assert selectors.node_at(lon=119.50, lat=28.05).code == "M01"  # the street's west edge
    assert selectors.node_at(lon=119.50, lat=28.00).code == "M01"  # the street's south-west corner
    assert selectors.node_at(lon=119.55, lat=28.10).code in {"M01", "M02", "M03"}  # a vertex of three
    assert selectors.node_at(lon=119.70, lat=28.20).code == "G03"  # the north-east corner


def test_a_point_a_metre_outside_is_outside(drawn):
    assert selectors.node_at(lon=119.49999, lat=28.05) is None
    assert selectors.node_at(lon=119.52, lat=28.05, within=drawn.village) is None
    assert selectors.node_at(lon=119.65, lat=28.05, within=drawn.village).code == "G03"


# ---------------------------------------------------------------- reports


@pytest.fixture
def environment(db):
    return Category.objects.get(code="environment")


def file_at(street, environment, *, lon, lat, node=None, actor=None):
    return reports.report_file(actor=actor or street.resident, node=node or street.community, category=environment,
                               text="垃圾堆在路边", latitude=lat, longitude=lon)


def test_a_located_report_about_the_community_goes_to_the_micro_grid_under_it_and_its_grid_worker(drawn, environment):
    report = file_at(drawn, environment, lon=119.55, lat=28.15)  # in M03, under grid B
    assert report.node == drawn.micro_b1
    assert report.handler == drawn.worker_b


def test_a_located_report_in_the_residents_own_micro_grid_is_placed_there(drawn, environment):
    report = file_at(drawn, environment, lon=119.52, lat=28.05, node=drawn.grid_a)
    assert report.node == drawn.micro_a1 and report.handler == drawn.worker_a


def test_a_location_elsewhere_in_the_street_keeps_the_chosen_node(drawn, environment):
    report = file_at(drawn, environment, lon=119.65, lat=28.05)  # in the village: not chosen, not the resident's
    assert report.node == drawn.community


def test_a_location_outside_the_street_is_refused_with_a_clear_message(drawn, environment):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        file_at(drawn, environment, lon=119.80, lat=28.05)
    assert refused.value.code == "outside_area" and refused.value.status == 400
    assert "lies outside 浮云街道" in str(refused.value.message)


def test_without_boundaries_a_located_report_is_filed_as_before(street, environment):
    report = file_at(street, environment, lon=100.0, lat=40.0)
    assert report.node == street.community
