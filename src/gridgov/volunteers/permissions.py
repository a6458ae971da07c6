"""The volunteer actions and the roles allowed them (see orgs.permissions for how scope works).

Anyone with a role may post a need at a node in their area and volunteer there; claiming, checking in and out
and answering a call-out are further limited to the registered volunteer themselves, and confirming a service
to its requester (``services``)."""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, EVERY_ROLE, register

MEMBERS = EVERY_ROLE - {Role.MERCHANT_STAFF}

register("volunteer.join", MEMBERS)  # register oneself as a volunteer where one holds a role
register("volunteer.need", MEMBERS)  # post a need (需求 / 微心愿) at a node of one's area
register("volunteer.serve", MEMBERS)  # claim needs, check in and out, answer call-outs
register("volunteer.manage", CADRES)  # review needs, register others, see who falls short of the yearly rule
register("volunteer.callout", CADRES)  # raise and close a call-out (紧急动员)
register("volunteer.view", CADRES | {Role.PARTY_AUDITOR, Role.SUPERVISOR, Role.GRID_LEADER})
