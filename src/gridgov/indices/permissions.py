"""Who may read rankings, record the events indices are built from, compute and publish periods."""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, register

register("indices.view", CADRES | {Role.PARTY_AUDITOR, Role.SUPERVISOR, Role.GRID_LEADER})
register("indices.record", CADRES | {Role.PARTY_AUDITOR})
register("indices.compute", {Role.PLATFORM_ADMIN, Role.STREET_CADRE})
register("indices.publish", {Role.PLATFORM_ADMIN, Role.STREET_CADRE})
register("indices.rules", {Role.PLATFORM_ADMIN})
