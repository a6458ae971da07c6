"""API for boundaries: the map's GeoJSON, redrawing one boundary, importing and exporting GeoJSON.

Scoped like the tree: a node outside the caller's area answers 404 ``not_found``, exactly like an unknown
code. Reading needs ``node.view`` (every role sees its own area's map); writing needs ``geo.manage`` (cadres).
The GeoJSON answers are assembled as text by the selectors (a county's map is a megabyte) and sent as they
are; the schemas below document them.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gridgov.api_schemas import ErrorOut
from gridgov.errors import Invalid
from gridgov.geo import selectors, services
from gridgov.geo.geometry import GCJ02, WGS84
from gridgov.orgs.selectors import node_in_area

router = Router(tags=["geo"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Crs = Literal["wgs84", "gcj02"]
CRS_HELP = (f"`{WGS84}` (default): WGS-84 longitude/latitude, as GPS and GIS exports give; `{GCJ02}`: the "
            "offset coordinates of 高德/腾讯 maps, converted to WGS-84 on the way in.")


# --- schemas -------------------------------------------------------------------------------------------


class GeometryOut(Schema):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="GeoJSON positions, [longitude, latitude] in WGS-84 degrees.",
                                   examples=[[[[119.60, 28.10], [119.61, 28.10], [119.61, 28.11], [119.60, 28.10]]]])


class MapProperties(Schema):
    code: str = Field(examples=["FY-DM-G01"])
    name: str = Field(examples=["东门社区第一网格"])
    kind: str = Field(examples=["grid"])
    parent: str | None = Field(description="The parent node's code.", examples=["FY-DM"])
    level: int = Field(description="0 for the asked node, 1 for its children, and so on.", examples=[1])


class MapFeature(Schema):
    type: Literal["Feature"]
    geometry: GeometryOut
    properties: MapProperties


class MapOut(Schema):
    type: Literal["FeatureCollection"]
    bbox: list[float] | None = Field(None, description="[west, south, east, north] of all features.",
                                     examples=[[119.55, 28.05, 119.65, 28.15]])
    features: list[MapFeature]


class ExportProperties(Schema):
    code: str = Field(examples=["FY-DM-G01"])
    name: str = Field(examples=["东门社区第一网格"])
    kind: str = Field(examples=["grid"])
    parent: str | None = Field(examples=["FY-DM"])


class ExportFeature(Schema):
    type: Literal["Feature"]
    geometry: GeometryOut
    properties: ExportProperties


class ExportOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[ExportFeature]


class BoundaryIn(Schema):
    geometry: dict[str, Any] = Field(
        description="A GeoJSON Polygon or MultiPolygon.",
        examples=[{"type": "Polygon", "coordinates": [[[119.60, 28.10], [119.61, 28.10], [119.61, 28.11],
                                                        [119.60, 28.10]]]}])
    crs: Crs = Field(WGS84, description=CRS_HELP)


class BoundaryOut(Schema):
    code: str = Field(examples=["FY-DM-G01"])
    name: str = Field(examples=["东门社区第一网格"])
    changed: bool = Field(description="False when the boundary was already exactly this.")
    area_m2: float = Field(examples=[1250000.0])
    vertices: int = Field(examples=[42])
    bbox: list[float] = Field(description="[west, south, east, north]", examples=[[119.60, 28.10, 119.61, 28.11]])
    set_at: datetime


class ImportIn(Schema):
    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]] = Field(max_length=services.MAX_FEATURES,
                                           description="Features whose `properties.code` names their node.")
    crs: dict[str, Any] | None = Field(None, description="If present, it must name WGS-84 (e.g. EPSG:4326).")


class ImportOut(Schema):
    features: int = Field(examples=[479])
    created: int = Field(examples=[12])
    updated: int = Field(examples=[3])
    unchanged: int = Field(examples=[464])


GZIP_FROM_BYTES = 8 * 1024


def _json(request, text: str) -> HttpResponse:
    """Send GeoJSON text as it is, gzipped for clients that accept it (a county's map shrinks ten times; the
    body holds nothing secret nor anything the request reflected, so compressing it leaks nothing)."""
    content = text.encode()
    response = HttpResponse(content_type="application/json")
    patch_vary_headers(response, ["Accept-Encoding"])
    if len(content) >= GZIP_FROM_BYTES and "gzip" in request.headers.get("Accept-Encoding", ""):
        content = compress_string(content)
        response["Content-Encoding"] = "gzip"
    response.content = content
    return response


# --- endpoints -----------------------------------------------------------------------------------------
# ``/geo/import`` comes before ``/geo/{code}``, so a node whose code is "import" is reached only by export.


@router.post("/geo/import", response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                      413: ErrorOut, 422: ErrorOut},
             summary="Import boundaries from GeoJSON (导入边界)",
             description="A FeatureCollection whose features carry `properties.code` of their node. Every feature "
             "is checked first (valid polygon, inside its parent, no overlap with siblings; the file's own "
             "features count); if any fails, nothing is written and `errors` lists each problem. Features equal "
             "to the stored boundary change nothing, so re-importing an export is harmless. Needs `geo.manage` "
             "for every node. The body limit of the API applies; larger files go through the import page.")
def boundaries_import(request, body: ImportIn, crs: Annotated[Crs, Query(WGS84, description=CRS_HELP)] = WGS84):
    result = services.boundaries_import(actor=request.person, collection=body.model_dump(exclude_none=True), crs=crs)
    if not result.ok:
        raise Invalid(_("The file has %(count)d problems; nothing was imported.") % {"count": len(result.errors)},
                      code="invalid_boundaries", errors=[{"feature": each.feature, "code": each.code,
                                                          "message": each.message} for each in result.errors])
    return {"features": result.features, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}


@router.get("/geo/{code}", response={200: MapOut, **ERRORS},
            summary="The map of a node: boundaries as GeoJSON (一张图边界)",
            description="A GeoJSON FeatureCollection of the node and its descendants down to `depth` levels "
            "(nodes without a boundary are left out), simplified for display: with `zoom`, to half a pixel at "
            "that web-map zoom; without it, to half a pixel of a 1000-pixel view of the whole node. Shared edges "
            "stay shared. Coordinates are WGS-84; for a GCJ-02 basemap (高德/腾讯) convert them client-side.")
def node_map(request, code: str,
             depth: Annotated[int, Query(1, ge=0, le=selectors.MAX_DEPTH, description="Levels below the node.")] = 1,
             zoom: Annotated[int | None, Query(None, ge=0, le=22, description="Web-map zoom level.")] = None):
    node = node_in_area(request.person, code)
    return _json(request, selectors.features(node=node, depth=depth, zoom=zoom))


@router.put("/geo/{code}", response={200: BoundaryOut, 400: ErrorOut, 403: ErrorOut, **ERRORS},
            summary="Set or redraw one boundary (设置边界)",
            description="Needs `geo.manage` here. The same checks as an import; 400 `invalid_geometry` or "
            "`boundary_misplaced` say what is wrong.")
def boundary_set(request, code: str, body: BoundaryIn):
    node = node_in_area(request.person, code)
    boundary, changed = services.boundary_set(actor=request.person, node=node, geometry_in=body.geometry,
                                              crs=body.crs)
    return {"code": node.code, "name": node.name, "changed": changed, "area_m2": round(boundary.area_m2, 1),
            "vertices": boundary.vertices, "set_at": boundary.set_at,
            "bbox": [boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat]}


@router.get("/geo/{code}/export", response={200: ExportOut, **ERRORS},
            summary="Export boundaries as GeoJSON (导出边界)",
            description="Every boundary in the node's subtree at full precision, in the import format.")
def boundaries_export(request, code: str):
    node = node_in_area(request.person, code)
    return _json(request, selectors.boundaries_export_text(node=node))
