"""Who may do what with merchants, redemptions and dividends (registered when the app loads).

A merchant is scoped to a node. Cadres over that node manage it. Redeeming needs two things: the
``merchant_staff`` role at a node covering the merchant (the area) *and* a ``MerchantStaff`` link to that
very merchant (the till), so staff of one shop cannot spend members' points at the shop next door.
"""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, register

register("rewards.manage", CADRES)
register("rewards.redeem", {Role.MERCHANT_STAFF})
# Reading any merchant's settlement in the area (a merchant's own staff read theirs through "rewards.redeem"
# plus their staff link: see selectors.may_view_settlement).
register("rewards.settlement", CADRES | {Role.SUPERVISOR})
# The year-end dividend table lists every villager's points: cadres of the village or above only.
register("rewards.dividend", CADRES)
