"""The report actions and the roles allowed them (see orgs.permissions for how scope works).

Being the reporter or the assigned handler is checked by the workflow on top of these (``workflow.py``).
"""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import register

FILERS = {Role.RESIDENT, Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_CADRE, Role.STREET_CADRE,
          Role.PLATFORM_ADMIN}
HANDLERS = {Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_CADRE, Role.STREET_CADRE, Role.PLATFORM_ADMIN}
DISPATCHERS = {Role.COMMUNITY_CADRE, Role.STREET_CADRE, Role.PLATFORM_ADMIN}

register("report.file", FILERS)
register("report.handle", HANDLERS)
register("report.dispatch", DISPATCHERS)  # reassign, escalate, act for an absent handler
register("report.view", HANDLERS | {Role.PARTY_AUDITOR, Role.SUPERVISOR})
register("report.configure", {Role.PLATFORM_ADMIN, Role.STREET_CADRE})
