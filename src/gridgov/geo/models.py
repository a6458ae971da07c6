"""Boundaries: the area each organisation or grid covers, as GeoJSON in WGS-84 longitude/latitude.

The geometry is kept as GeoJSON (no GDAL, no PostGIS: the product runs on plain SQLite and PostgreSQL) and
read with shapely. Its bounding box is kept beside it in four indexed columns, so "which boundaries may
cover this point" and "which boundaries lie near this one" are plain range queries before any geometry is
parsed.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person


class Boundary(models.Model):
    """The boundary of one node: a Polygon or MultiPolygon, exterior rings counter-clockwise (RFC 7946)."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, primary_key=True, related_name="boundary",
                                verbose_name=_("node"))
    geometry = models.JSONField(_("geometry (GeoJSON, WGS-84)"))
    min_lon = models.FloatField(_("west"), db_index=True)
    min_lat = models.FloatField(_("south"), db_index=True)
    max_lon = models.FloatField(_("east"), db_index=True)
    max_lat = models.FloatField(_("north"), db_index=True)
    area_m2 = models.FloatField(_("area (m²)"))
    vertices = models.PositiveIntegerField(_("vertices"))
    set_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("set by"))
    set_by_name = models.CharField(_("set by"), max_length=50, blank=True)
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_lon__gte=-180, max_lon__lte=180, min_lat__gte=-90, max_lat__lte=90)
                & Q(min_lon__lte=F("max_lon"), min_lat__lte=F("max_lat")),
                name="geo_boundary_bbox_in_range",
            ),
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="geo_boundary_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.node}"

    def scope_node(self) -> Node:
        return self.node
