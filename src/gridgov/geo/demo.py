"""Plausible boundaries for the demo street (浮云街道 around 28.1 N, 119.6 E), drawn from the seeded generator.

The street is an irregular outline about 10 km across. Going down the tree, each node's region is shared
among its children as Voronoi cells of seed points (the four urban communities near the centre, the villages
around them; grids in their unit; micro-grids in their grid), with a few rounds of Lloyd relaxation so that
cells are compact rather than slivers. The micro-grids' seeds then make one Voronoi diagram over the whole
street, cut to the outline: those cells are the micro-grids, a grid is the union of its micro-grids, a unit
the union of its grids. So every level tiles its parent exactly, without gaps, and neighbours share exactly
the same edges, at every level and across every border, the way a GIS coverage does; grid and community
borders follow the micro-grids' edges, as real ones follow streets and blocks.

The economic cooperatives get no boundary: they are the collective-asset bodies of the urban communities,
not a territory of their own (drawing one would overlap the community it belongs to).

The shapes are made in kilometres on a local plane and turned into degrees at the end, then written through
``services.boundaries_import`` as the system, so the demo passes the same checks as any cadre's file.
"""

import math
import random

import numpy as np
import shapely

from gridgov.geo import geometry, services
from gridgov.orgs import tree
from gridgov.orgs.demo import STREET_CODE
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import SYSTEM

CENTRE = (119.6, 28.1)  # 云和县城 (lon, lat)
KM_PER_DEGREE = math.pi * 6371.0088 / 180
RADIUS_KM = 5.0
OUTLINE_VERTICES = 90
LLOYD_ROUNDS = 3


def seed(*, rng: random.Random, out) -> None:
    street = Node.objects.get(code=STREET_CODE)
    collection = street_collection(street, rng)
    result = services.boundaries_import(actor=SYSTEM, collection=collection)
    if not result.ok:
        raise RuntimeError(f"demo boundaries refused: {result.errors[:3]}")


def street_collection(street: Node, rng: random.Random, *, centre=CENTRE) -> dict:
    """A FeatureCollection of boundaries for ``street`` and every unit, grid and micro-grid below it, drawn
    around ``centre`` (lon, lat)."""
    nodes = list(Node.objects.filter(tree.under([street.path])).order_by("path"))
    children: dict[str, list[Node]] = {}
    for node in nodes[1:]:
        children.setdefault(tree.parent_path(node.path), []).append(node)
    outline = _outline(rng)
    units = [unit for unit in children.get(street.path, []) if children.get(unit.path)]  # territorial ones
    # Top down, each node's region is tiled among its children, down to the leaves (the micro-grids),
    # which keep only a seed point each.
    seeds: dict[str, tuple[float, float]] = {}
    pending = list(_tile_units(outline, units, rng).items())
    while pending:
        node, region = pending.pop()
        kids = children.get(node.path, [])
        if not kids:
            seeds[node.code] = (region.centroid.x, region.centroid.y)
            continue
        pending.extend(zip(kids, _tile(region, len(kids), rng), strict=True))
    # One diagram for all leaves, so that every shared edge at every level is the same line on both sides.
    leaves = sorted(seeds)
    cells = dict(zip(leaves, _voronoi([seeds[code] for code in leaves], outline), strict=True))
    shapes = {}
    for node in reversed(nodes):  # children before parents
        if node.code in cells:
            shapes[node.code] = cells[node.code]
        elif parts := [shapes[kid.code] for kid in children.get(node.path, []) if kid.code in shapes]:
            shapes[node.code] = _polygonal(shapely.coverage_union_all(parts))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": node.code},
         "geometry": geometry.as_stored(to_degrees(shapes[node.code], centre))}
        for node in nodes if node.code in shapes
    ]}


def _outline(rng: random.Random) -> shapely.Polygon:
    """A star-shaped, smoothly irregular outline: a circle with a few random waves on its radius."""
    waves = [(k, rng.uniform(0.03, 0.08), rng.uniform(0, 2 * math.pi)) for k in (2, 3, 4, 5, 7)]
    points = []
    for index in range(OUTLINE_VERTICES):
        angle = 2 * math.pi * index / OUTLINE_VERTICES
        radius = RADIUS_KM * (1 + sum(amplitude * math.cos(k * angle + phase) for k, amplitude, phase in waves))
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    return shapely.Polygon(points)


def _tile_units(outline, units: list[Node], rng: random.Random) -> dict:
    """Urban communities on an inner ring, villages (and any other unit) on an outer one."""
    inner = [unit for unit in units if unit.kind == NodeKind.COMMUNITY]
    outer = [unit for unit in units if unit.kind != NodeKind.COMMUNITY]
    seeds = []
    for ring, radius, offset in ((inner, 1.4, math.pi / 4), (outer, 3.7, 0.0)):
        for index, _unit in enumerate(ring):
            angle = offset + 2 * math.pi * index / max(len(ring), 1) + rng.uniform(-0.2, 0.2)
            distance = radius * rng.uniform(0.85, 1.15)
            seeds.append((distance * math.cos(angle), distance * math.sin(angle)))
    return dict(zip(inner + outer, _voronoi(seeds, outline), strict=True))


def _tile(shape, count: int, rng: random.Random) -> list:
    """``count`` compact cells that tile ``shape``: Voronoi of random points, relaxed towards centroids."""
    if count == 1:
        return [shape]
    west, south, east, north = shape.bounds
    seeds = []
    while len(seeds) < count:
        point = (rng.uniform(west, east), rng.uniform(south, north))
        if shape.contains(shapely.Point(point)):
            seeds.append(point)
    cells = _voronoi(seeds, shape)
    for _round in range(LLOYD_ROUNDS):
        seeds = [(cell.centroid.x, cell.centroid.y) for cell in cells]
        cells = _voronoi(seeds, shape)
    return cells


def _voronoi(seeds, shape) -> list:
    """The Voronoi cells of ``seeds`` (in their order) cut to ``shape``."""
    diagram = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=shape.buffer(1.0), ordered=True)
    return [_polygonal(shapely.intersection(cell, shape)) for cell in diagram.geoms]


def _polygonal(shape):
    """The polygons of a cut (which may also hold the line or point where a cell just touches the edge)."""
    parts = [part for part in shapely.get_parts(shape) if part.geom_type == "Polygon" and not part.is_empty]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def to_degrees(shape, centre=CENTRE):
    """A shape in kilometres east and north of ``centre`` → longitude/latitude."""
    scale = np.array([1 / (KM_PER_DEGREE * math.cos(math.radians(centre[1]))), 1 / KM_PER_DEGREE])
    return shapely.transform(shape, lambda points: points * scale + np.array(centre))
