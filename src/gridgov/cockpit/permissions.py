"""Who opens the cockpit and the map of an area: its cadres, grid leaders and supervisors, within their area."""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, register

register("cockpit.view", CADRES | {Role.GRID_LEADER, Role.SUPERVISOR})
