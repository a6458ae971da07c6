"""Reading boundaries: which node covers a point, the map's GeoJSON, the export, the counts.

Every read is set-based: boundaries are chosen by their bounding-box columns (or by the subtree) in one
query and their geometry is parsed by shapely in one vectorised call, never a query or a parse loop per grid.
"""

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from gridgov.errors import refusal
from gridgov.geo import geometry
from gridgov.geo.models import Boundary
from gridgov.orgs import tree
from gridgov.orgs.models import Node, NodeKind

# A point this close to a boundary (in degrees: about a centimetre) is on it, and an edge counts as inside.
EDGE = 1e-7
MAX_DEPTH = 5  # street → community → grid → micro-grid → building, below a district
# The map's detail: a boundary is simplified to about half a pixel of the view it is drawn in. Without a zoom
# the view is the asked node's whole extent drawn VIEW_PIXELS wide (its coarsest useful level).
VIEW_PIXELS = 1000
TILE_PIXELS = 256


@dataclass(frozen=True)
class Located:
    """A stored boundary with what the checks and the map need to know about its node."""

    node_id: int
    code: str
    name: str
    path: str
    depth: int
    shape: shapely.Geometry

    @property
    def label(self) -> str:
        return f"{self.name}（{self.code}）"


def _text_geometry():
    return Cast("geometry", output_field=TextField())


def located(boundaries) -> list[Located]:
    """``Located`` for a queryset of boundaries: one query, one vectorised parse."""
    rows = list(boundaries.values_list("node_id", "node__code", "node__name", "node__path", "node__depth",
                                       _text_geometry()))
    shapes = geometry.from_stored([row[5] for row in rows])
    return [Located(*row[:5], shape) for row, shape in zip(rows, shapes, strict=True)]


def boundaries_in_box(west: float, south: float, east: float, north: float):
    """The boundaries whose bounding box meets the box (the prefilter of every spatial question)."""
    return Boundary.objects.filter(min_lon__lte=east, max_lon__gte=west, min_lat__lte=north, max_lat__gte=south)


# ---------------------------------------------------------------- points


def node_at(*, lon: float, lat: float, within: Node | None = None) -> Node | None:
    """The deepest node whose boundary covers the point (an edge or a vertex counts as inside), within
    ``within``'s subtree if given. On an edge shared by two nodes of the same depth, the one first in tree
    order wins, so the same point always lands in the same place."""
    lon, lat = float(lon), float(lat)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    candidates = boundaries_in_box(lon - EDGE, lat - EDGE, lon + EDGE, lat + EDGE)
    if within is not None:
        candidates = candidates.filter(tree.under([within.path], "node__path"))
    found = located(candidates)
    if not found:
        return None
    covers = shapely.dwithin(np.array([each.shape for each in found]), shapely.Point(lon, lat), EDGE)
    hits = [each for each, hit in zip(found, covers, strict=True) if hit]
    if not hits:
        return None
    best = min(hits, key=lambda each: (-each.depth, each.path))
    return Node.objects.get(pk=best.node_id)


def covers_point(node: Node, *, lon, lat) -> bool | None:
    """Whether ``node``'s own boundary covers the point (an edge counts as inside); None when it has none."""
    boundary = Boundary.objects.filter(node=node).first()
    if boundary is None:
        return None
    shape = geometry.from_stored([boundary.geometry])[0]
    return bool(shapely.dwithin(shape, shapely.Point(float(lon), float(lat)), EDGE))


def street_of(node: Node) -> Node:
    """The street (or township) at or above ``node``; the root of its tree when there is none."""
    above = list(Node.objects.filter(path__in=tree.ancestor_paths(node.path)).order_by("depth"))
    return next((each for each in above if each.kind == NodeKind.STREET), above[0] if above else node)


def place_located_report(*, node: Node, lon, lat, area_paths) -> Node | None:
    """Where a report made at (lon, lat) about ``node`` belongs, once boundaries are drawn.

    The deepest node covering the point, when it lies inside ``node`` or inside the reporter's area
    (``area_paths``); None (keep ``node``) when the point is elsewhere in the street or nothing is drawn
    there yet. A point outside every boundary of the street is refused: it cannot be about this street.
    """
    street = street_of(node)
    if not Boundary.objects.filter(tree.under([street.path], "node__path")).exists():
        return None
    found = node_at(lon=lon, lat=lat, within=street)
    if found is None:
        raise refusal("outside_area", _("This location (%(lat).5f, %(lon).5f) lies outside %(street)s. Check the "
                                        "location, or report it to the street it belongs to.")
                      % {"lat": float(lat), "lon": float(lon), "street": street.name})
    if node.covers(found) or tree.is_under(found.path, area_paths):
        return found
    return None


# ---------------------------------------------------------------- the map


def tolerance_for(*, extent: float, zoom: int | None = None) -> float:
    """Degrees of simplification: half a pixel at ``zoom`` (web-map zoom levels), else half a pixel of a view
    ``VIEW_PIXELS`` wide showing ``extent`` degrees."""
    if zoom is not None:
        return 360.0 / (TILE_PIXELS * 2 ** zoom) / 2
    return max(extent, 1e-6) / VIEW_PIXELS / 2


def _decimals_for(tolerance: float) -> int:
    """The fewest decimals whose rounding moves a vertex by at most half the simplification tolerance."""
    return min(geometry.DECIMALS, max(3, math.ceil(-math.log10(tolerance))))


def features(*, node: Node, depth: int, tolerance: float | None = None, zoom: int | None = None) -> str:
    """The map of ``node`` and its descendants down to ``depth`` levels: a GeoJSON FeatureCollection as JSON
    text (a county's is about a megabyte, so it is assembled from shapely's GeoJSON without a round trip
    through Python objects).

    Only nodes with a boundary appear, in tree order (parents first). Each level is simplified as one
    coverage, so neighbours keep their shared edges (no slivers or gaps between them), with ``tolerance``
    degrees, or the one ``tolerance_for`` chooses. Properties: code, name, kind, parent (the parent's code)
    and level (0 for ``node``, 1 for its children, …). Two queries: the nodes, the boundaries.
    """
    depth = max(0, min(depth, MAX_DEPTH))
    parent_path = tree.parent_path(node.path)
    nodes = Node.objects.filter((tree.under([node.path]) & Q(depth__lte=node.depth + depth)) | Q(path=parent_path))
    code_at = dict(nodes.values_list("path", "code"))
    rows = list(Boundary.objects.filter(tree.under([node.path], "node__path"), node__depth__lte=node.depth + depth)
                .order_by("node__path")
                .values_list("node__code", "node__name", "node__kind", "node__depth", "node__path",
                             "min_lon", "min_lat", "max_lon", "max_lat", _text_geometry()))
    if not rows:
        return _collection([], None)
    columns = np.array([row[5:9] for row in rows], dtype=float)
    box = [float(columns[:, 0].min()), float(columns[:, 1].min()), float(columns[:, 2].max()),
           float(columns[:, 3].max())]
    if tolerance is None:
        tolerance = tolerance_for(extent=max(box[2] - box[0], box[3] - box[1]), zoom=zoom)
    shapes = geometry.from_stored([row[9] for row in rows])
    levels = np.array([row[3] - node.depth for row in rows])
    simplified = np.empty(len(rows), dtype=object)
    for level in np.unique(levels):
        chosen = levels == level
        simplified[chosen] = geometry.simplify_coverage(shapes[chosen], tolerance)
    decimals = _decimals_for(tolerance)
    texts = shapely.to_geojson(shapely.set_precision(simplified, 10.0 ** -decimals, mode="pointwise"))
    items = []
    for (code, name, kind, _depth, path, *_rest), level, text in zip(rows, levels, texts, strict=True):
        properties = json.dumps({"code": code, "name": name, "kind": kind, "parent": code_at.get(
            tree.parent_path(path)), "level": int(level)}, ensure_ascii=False, separators=(",", ":"))
        items.append(f'{{"type":"Feature","geometry":{text},"properties":{properties}}}')
    return _collection(items, [round(value, decimals) for value in box])


def _collection(items: list[str], box) -> str:
    head = '{"type":"FeatureCollection"' + (f',"bbox":{json.dumps(box)}' if box else "")
    return head + ',"features":[' + ",".join(items) + "]}"


# ---------------------------------------------------------------- export and counts


def boundaries_export(*, node: Node) -> dict:
    """Every boundary in ``node``'s subtree at full precision, as a FeatureCollection that imports again
    unchanged (properties: code, name, kind, parent)."""
    code_at = dict(Node.objects.filter(tree.under([node.path]) | Q(path=tree.parent_path(node.path)))
                   .values_list("path", "code"))
    rows = (Boundary.objects.filter(tree.under([node.path], "node__path")).order_by("node__path")
            .values_list("node__code", "node__name", "node__kind", "node__path", "geometry"))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": stored,
         "properties": {"code": code, "name": name, "kind": kind, "parent": code_at.get(tree.parent_path(path))}}
        for code, name, kind, path, stored in rows
    ]}


def geo_stats() -> dict:
    """For ``gridgov stats``: how many nodes have a boundary."""
    return {"boundaries": Boundary.objects.count()}


def boundaries_export_text(*, node: Node) -> str:
    """``boundaries_export`` as GeoJSON text, one feature a line (readable, and diffs well between exports)."""
    collection = boundaries_export(node=node)
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in collection["features"]]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def centre_of_deepest(paths) -> tuple[float, float] | None:
    """The ``(latitude, longitude)`` of the centre of the deepest boundary among the nodes at ``paths`` (its
    centroid, or a point surely inside when the centroid falls outside it); None when none has one. One query."""
    boundary = Boundary.objects.filter(node__path__in=list(paths)).order_by("-node__depth").first()
    if boundary is None:
        return None
    outline = geometry.from_stored([boundary.geometry])[0]
    centre = outline.centroid if outline.contains(outline.centroid) else outline.representative_point()
    return round(centre.y, 6), round(centre.x, 6)


def point_inside(node: Node, rng) -> tuple[float, float] | None:
    """A random ``(longitude, latitude)`` inside ``node``'s boundary (None: it has none) — for demo data."""
    boundary = Boundary.objects.filter(node=node).first()
    if boundary is None:
        return None
    shape = geometry.from_stored([boundary.geometry])[0]
    for _attempt in range(50):
        lon = rng.uniform(boundary.min_lon, boundary.max_lon)
        lat = rng.uniform(boundary.min_lat, boundary.max_lat)
        if shapely.contains_xy(shape, lon, lat):
            return round(lon, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)
