"""Who may do what with points. Granting follows the party committee's audit (SPEC §2), so auditors grant."""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, EVERY_ROLE, register

register("points.grant", CADRES | {Role.PARTY_AUDITOR})
register("points.reverse", CADRES | {Role.PARTY_AUDITOR})
register("points.budget", {Role.PLATFORM_ADMIN, Role.STREET_CADRE})
register("points.view", CADRES | {Role.PARTY_AUDITOR, Role.SUPERVISOR})
register("points.view_own", EVERY_ROLE)
register("ledger.checkpoint", {Role.PLATFORM_ADMIN})
register("ledger.witness", {Role.SUPERVISOR})
