"""The demo street's boundaries: around 云和, every level tiling its parent, valid by the import's own checks,
the same for the same seed, and quick.

The orgs and geo seeders run once for the module inside a transaction rolled back at the end.
"""

import json
import random
import time
from types import SimpleNamespace

import numpy as np
import pytest
import shapely
from django.db import transaction

from gridgov import demo
from gridgov.geo import demo as geo_demo
from gridgov.geo import selectors, services
from gridgov.geo.models import Boundary
from gridgov.orgs import demo as orgs_demo
from gridgov.orgs import tree
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def rng_of(path: str) -> random.Random:
    return random.Random(f"{demo.DEMO_SEED}:{path}")  # as gridgov.demo.seed_demo hands it


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = demo.DemoOutput()
        orgs_demo.seed(rng=rng_of("gridgov.orgs.demo.seed"), out=out)
        started = time.perf_counter()
        geo_demo.seed(rng=rng_of("gridgov.geo.demo.seed"), out=out)
        seconds = time.perf_counter() - started
        found = selectors.located(Boundary.objects.all())
        yield SimpleNamespace(seconds=seconds, shapes={each.path: each.shape for each in found},
                              nodes={node.path: node for node in Node.objects.all()})
        transaction.set_rollback(True)


def test_the_street_its_units_grids_and_micro_grids_all_have_boundaries(seeded):
    kinds = [seeded.nodes[path].kind for path in seeded.shapes]
    assert kinds.count(NodeKind.STREET) == 1
    assert kinds.count(NodeKind.COMMUNITY) == 4 and kinds.count(NodeKind.VILLAGE) == 4
    assert kinds.count(NodeKind.GRID) == 47 and kinds.count(NodeKind.MICRO_GRID) == 479
    assert NodeKind.COOPERATIVE not in kinds and NodeKind.DISTRICT not in kinds


def test_the_street_lies_around_yunhe_and_is_about_ten_kilometres_across(seeded):
    street = next(shape for path, shape in seeded.shapes.items() if seeded.nodes[path].kind == NodeKind.STREET)
    west, south, east, north = street.bounds
    assert 119.5 < west < 119.6 < east < 119.7 and 28.0 < south < 28.1 < north < 28.2
    assert 8 < (east - west) * 111.195 * np.cos(np.radians(28.1)) < 13
    assert 8 < (north - south) * 111.195 < 13


def test_every_level_tiles_its_parent_without_gaps_or_overlaps(seeded):
    children: dict[str, list] = {}
    for path, shape in seeded.shapes.items():
        children.setdefault(tree.parent_path(path), []).append(shape)
    tiled = 0
    for path, shape in seeded.shapes.items():
        if path in children:
            kids = np.array(children[path])
            assert shapely.coverage_is_valid(kids), seeded.nodes[path].code
            assert shapely.union_all(kids).symmetric_difference(shape).area < 1e-4 * shape.area
            tiled += 1
    assert tiled == 1 + 8 + 47


def test_neighbours_share_their_edges_exactly_across_grid_borders(seeded):
    micro = np.array([shape for path, shape in seeded.shapes.items()
                      if seeded.nodes[path].kind == NodeKind.MICRO_GRID])
    assert shapely.coverage_is_valid(micro)


def test_the_demo_boundaries_pass_the_imports_checks_again(seeded):
    street = Node.objects.get(code=orgs_demo.STREET_CODE)
    exported = selectors.boundaries_export(node=street)
    result = services.boundaries_import(actor=SYSTEM, collection=exported)
    assert result.ok and result.unchanged == 535


def test_the_same_seed_draws_the_same_street(seeded):
    street = Node.objects.get(code=orgs_demo.STREET_CODE)
    first = geo_demo.street_collection(street, rng_of("gridgov.geo.demo.seed"))
    second = geo_demo.street_collection(street, rng_of("gridgov.geo.demo.seed"))
    assert json.dumps(first) == json.dumps(second)


def test_the_demo_boundaries_are_drawn_and_checked_in_under_five_seconds(seeded):
    assert seeded.seconds < 5


def test_the_whole_street_map_is_small(seeded):
    """(Its speed is measured by bench/geo.py, not asserted on a shared machine.)"""
    text = selectors.features(node=Node.objects.get(code=orgs_demo.STREET_CODE), depth=3)
    assert text.count('"type":"Feature"') == 535 and len(text.encode()) < 400_000
