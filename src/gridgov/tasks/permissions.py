"""The task actions and the roles allowed them (see orgs.permissions for how scope works)."""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import register

register("task.publish", {Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE})
register("task.claim", {Role.GRID_WORKER, Role.GRID_LEADER})
register("task.evaluate", {Role.COMMUNITY_CADRE})
register("task.audit", {Role.PARTY_AUDITOR})
# Reading claims and their evidence photos: whoever evaluates, audits or oversees the area.
register(
    "task.view",
    {Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE, Role.PARTY_AUDITOR, Role.SUPERVISOR},
)
register("notice.publish", {Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE})
register("task.grade", {Role.PLATFORM_ADMIN, Role.STREET_CADRE})
