"""Who may draw and import boundaries: the cadres, within their area. Reading them follows ``node.view``."""

from gridgov.orgs.permissions import CADRES, register

register("geo.manage", CADRES)
