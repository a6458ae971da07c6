"""The codes of the geography's refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "invalid_geometry": (400, "A boundary is not a valid WGS-84 GeoJSON Polygon or MultiPolygon; the message says why."),
    "boundary_misplaced": (400, "A boundary lies outside its parent's, leaves a child outside, or overlaps a sibling's."),
    "invalid_boundaries": (400, "A GeoJSON import has problems (listed per feature in `errors`); nothing was written."),
    "outside_area": (400, "The location lies outside every boundary of the area (outside the street)."),
})
