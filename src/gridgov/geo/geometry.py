"""GeoJSON geometry in, checked shapely geometry out; and the numbers kept beside a stored boundary.

A boundary is a GeoJSON Polygon or MultiPolygon in WGS-84 longitude/latitude (RFC 7946), the form GIS tools
export and web maps read. What cadres bring from their GIS is often something else, so every way it can go
wrong has its own message: another geometry type, rings not closed or too short, numbers that are not
finite, coordinates in metres of a projected system (or a ``crs`` member naming one), longitude and latitude
swapped, a self-intersecting polygon. Chinese basemaps draw in GCJ-02; such input is converted to WGS-84
when the caller says so (``gcj02``), never guessed.

Stored coordinates are rounded to 7 decimals (about 1 cm), exterior rings counter-clockwise and holes
clockwise, so the same shape always stores the same JSON and a re-import of an export changes nothing.
"""

import json
import math

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.geo import gcj02

WGS84 = "wgs84"
GCJ02 = "gcj02"
CRS_CHOICES = (WGS84, GCJ02)
DECIMALS = 7
MAX_VERTICES = 200_000  # one boundary; a street's most detailed outline has a few thousand
# Names by which GeoJSON files (the 2008 format's ``crs`` member, GDAL's output) declare WGS-84 lon/lat.
WGS84_NAMES = frozenset({
    "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "crs84", "ogc:crs84", "epsg:4326",
    "urn:ogc:def:crs:epsg::4326", "urn:ogc:def:crs:epsg:6.6:4326", "wgs84", "wgs 84", "epsg:4490",
    "urn:ogc:def:crs:epsg::4490",  # CGCS2000 geographic: within centimetres of WGS-84
})
METRES_PER_DEGREE = math.pi * 6371008.8 / 180  # on the mean earth sphere


class GeometryError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def crs_problem(crs) -> str | None:
    """The message for a GeoJSON ``crs`` member that does not name WGS-84 lon/lat, else None."""
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(
        crs.get("properties"), dict) else None
    if isinstance(name, str) and name.strip().lower() in WGS84_NAMES:
        return None
    shown = name if isinstance(name, str) else str(crs)[:80]
    return _("The file declares the coordinate system “%(crs)s”. Boundaries are WGS-84 longitude/latitude in "
             "degrees (EPSG:4326): export them from your GIS as GeoJSON in WGS-84.") % {"crs": shown[:80]}


def parse(geometry, *, crs: str = WGS84) -> shapely.Geometry:
    """A checked, normalised (Multi)Polygon from a GeoJSON geometry object; GeometryError says what is wrong."""
    if not isinstance(geometry, dict):
        raise GeometryError(_("The geometry is missing or is not a GeoJSON object."))
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        if not isinstance(kind, str):
            raise GeometryError(_("The geometry has no type; a boundary is a Polygon or MultiPolygon."))
        raise GeometryError(_("A %(type)s is not an area: a boundary is a Polygon or MultiPolygon.")
                            % {"type": kind[:30]})
    if problem := crs_problem(geometry.get("crs")):
        raise GeometryError(problem)
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError(_("The geometry has no coordinates."))
    counted = 0
    shapes = []
    for number, polygon in enumerate(polygons, 1):
        rings = [_ring(ring, polygon_number=number if kind == "MultiPolygon" else None, ring_number=index)
                 for index, ring in enumerate(_list(polygon, _("a polygon")), 1)]
        if not rings:
            raise GeometryError(_("A polygon has no rings."))
        counted += sum(len(ring) for ring in rings)
        if counted > MAX_VERTICES:
            raise GeometryError(_("The boundary has more than %(max)d vertices; simplify it in your GIS first.")
                                % {"max": MAX_VERTICES})
        shapes.append((rings[0], rings[1:]))
    _check_ranges(np.concatenate([np.asarray(ring) for shell, holes in shapes for ring in (shell, *holes)]))
    shape = shapely.Polygon(*shapes[0]) if kind == "Polygon" else shapely.MultiPolygon(shapes)
    if crs == GCJ02:
        shape = shapely.transform(shape, gcj02.coordinates_to_wgs84)
    shape = normalised(shape)
    if not shape.is_valid:
        raise GeometryError(_explain(shapely.is_valid_reason(shape)))
    return shape


def _list(value, what) -> list:
    if not isinstance(value, list):
        raise GeometryError(_("The coordinates of %(what)s are not a list.") % {"what": what})
    return value


def _ring(ring, *, polygon_number, ring_number) -> list[tuple[float, float]]:
    where = (_("ring %(ring)d of polygon %(polygon)d") % {"ring": ring_number, "polygon": polygon_number}
             if polygon_number else _("ring %(ring)d") % {"ring": ring_number})
    positions = []
    for position in _list(ring, where):
        if (not isinstance(position, list) or len(position) not in (2, 3)
                or not all(isinstance(number, (int, float)) and not isinstance(number, bool) for number in position)):
            raise GeometryError(_("In %(where)s a position is not a pair of numbers [longitude, latitude].")
                                % {"where": where})
        if not all(math.isfinite(number) for number in position):
            raise GeometryError(_("In %(where)s a coordinate is not a finite number.") % {"where": where})
        positions.append((float(position[0]), float(position[1])))
    if len(positions) < 4:
        raise GeometryError(_("%(where)s has %(count)d positions; a closed ring needs at least 4 (the first "
                              "repeated at the end).") % {"where": _capital(where), "count": len(positions)})
    if positions[0] != positions[-1]:
        raise GeometryError(_("%(where)s is not closed: its last position must repeat its first.")
                            % {"where": _capital(where)})
    return positions


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_ranges(points: np.ndarray) -> None:
    lon, lat = points[:, 0], points[:, 1]
    if np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90):
        return
    if np.all(np.abs(lon) <= 90) and np.all(np.abs(lat) <= 180):
        raise GeometryError(_("The coordinates look like [latitude, longitude]; GeoJSON puts the longitude first "
                              "([119.6, 28.1], not [28.1, 119.6])."))
    raise GeometryError(_("The coordinates are out of range for degrees (e.g. %(x).0f, %(y).0f): they look like "
                          "metres of a projected coordinate system. Boundaries are WGS-84 longitude/latitude in "
                          "degrees (EPSG:4326): export them from your GIS in WGS-84.")
                        % {"x": float(lon[np.argmax(np.abs(lon))]), "y": float(lat[np.argmax(np.abs(lat))])})


# GEOS's reasons, as people read them (the position follows in brackets).
REASONS = {
    "Self-intersection": gettext_lazy("The boundary crosses itself"),
    "Ring Self-intersection": gettext_lazy("A ring touches itself"),
    "Too few points": gettext_lazy("A ring has too few distinct points"),
    "Hole lies outside shell": gettext_lazy("A hole lies outside its polygon"),
    "Nested shells": gettext_lazy("One polygon of the MultiPolygon lies inside another"),
    "Interior is disconnected": gettext_lazy("A hole cuts the polygon in two"),
    "Duplicate Rings": gettext_lazy("A ring is repeated"),
    "Nested holes": gettext_lazy("A hole lies inside another hole"),
    "Invalid Coordinate": gettext_lazy("A coordinate is not a number"),
}


def _explain(reason: str) -> str:
    """``Self-intersection[119.6 28.1]`` → a sentence with the place, for people."""
    head, _bracket, place = reason.partition("[")
    text = REASONS.get(head.strip())
    message = str(text) if text else _("The polygon is not valid (%(reason)s)") % {"reason": head.strip()[:60]}
    place = place.rstrip("]").split()
    if len(place) == 2:
        try:
            message = _("%(problem)s near %(lon).6f, %(lat).6f") % {"problem": message, "lon": float(place[0]),
                                                                   "lat": float(place[1])}
        except ValueError:
            pass
    return _("%(problem)s. Correct it in your GIS or redraw it.") % {"problem": message}


def normalised(shape: shapely.Geometry) -> shapely.Geometry:
    """Coordinates rounded to ``DECIMALS``, exterior rings counter-clockwise, holes clockwise (RFC 7946)."""
    rounded = shapely.transform(shape, lambda points: np.round(points, DECIMALS))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def as_stored(shape: shapely.Geometry) -> dict:
    """The JSON the database keeps: type and coordinates as nested lists."""
    if shape.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon_coordinates(shape)}
    return {"type": "MultiPolygon", "coordinates": [_polygon_coordinates(part) for part in shape.geoms]}


def _polygon_coordinates(polygon) -> list:
    return [np.asarray(ring.coords)[:, :2].tolist() for ring in (polygon.exterior, *polygon.interiors)]


def area_m2(shape: shapely.Geometry) -> float:
    """Area in square metres: degrees² scaled at the shape's mean latitude (good to a fraction of a percent
    for anything the size of a street)."""
    if shape.is_empty:
        return 0.0
    latitude = (shape.bounds[1] + shape.bounds[3]) / 2
    return shape.area * METRES_PER_DEGREE ** 2 * math.cos(math.radians(latitude))


def vertex_count(shape: shapely.Geometry) -> int:
    return int(shapely.get_num_coordinates(shape))


def from_stored(geometries) -> np.ndarray:
    """Shapely geometries from stored GeoJSON (dicts or JSON text), all at once."""
    texts = [value if isinstance(value, str) else json.dumps(value, separators=(",", ":")) for value in geometries]
    return shapely.from_geojson(texts) if texts else np.array([], dtype=object)



def simplify_coverage(shapes: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons that tile an area together, keeping the edges they share shared.

    GEOS's coverage simplification treats an edge two neighbours share as one line, so it moves the same way
    for both and no sliver or gap opens between them (simplifying each polygon on its own would). A shape it
    makes invalid (possible where the input is not a clean coverage) is simplified on its own instead,
    topology-preserving.
    """
    if len(shapes) == 0 or tolerance <= 0:
        return shapes
    try:
        simplified = shapely.coverage_simplify(shapes, tolerance)
    except shapely.errors.GEOSException:
        simplified = shapely.simplify(shapes, tolerance, preserve_topology=True)
    broken = ~shapely.is_valid(simplified) | shapely.is_empty(simplified)
    if broken.any():
        simplified[broken] = shapely.simplify(shapes[broken], tolerance, preserve_topology=True)
    return simplified
