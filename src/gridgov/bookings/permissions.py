"""The booking actions and the roles allowed them (see orgs.permissions for how scope works).

Reviewing is decided per booking on top of these: the base's staff review first, then a holder of the
matching ``ReviewRule``'s role at its node (``services._reviewer_grant``). Liaisons are the people of a plan's
pool, whatever their role.
"""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import EVERY_ROLE, register

BOOKERS = {Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE, Role.GRID_LEADER}

register("booking.book", BOOKERS)  # book for an organisation in one's area, cancel and move its bookings
register("booking.review", {Role.PLATFORM_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE})
register("booking.manage", {Role.PLATFORM_ADMIN})  # the catalogue, and acting for any base's staff
register("booking.liaise", EVERY_ROLE - {Role.RESIDENT, Role.MERCHANT_STAFF})
