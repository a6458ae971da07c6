"""The household actions and the roles allowed them (see orgs.permissions for how scope works).

The resident file's fields each carry a sensitivity level; reading and writing a level are actions of their own,
so an installation decides who sees what by the roles it gives them. A resident reads their own household
through ``selectors.household_of`` (membership, not a role), never through these actions.
"""

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import CADRES, register

WORKERS = {Role.GRID_WORKER, Role.GRID_LEADER}

register("household.own", {Role.RESIDENT})  # the door to one's own household (membership decides what it shows)
register("household.view", CADRES | WORKERS | {Role.PARTY_AUDITOR, Role.SUPERVISOR})
register("household.manage", CADRES)  # create households, move people in and out, import
register("household.tag", CADRES | WORKERS)  # care and attention tags
register("household.link", CADRES)  # link members to households
register("household.visit", CADRES | WORKERS)  # visit any household of the area (linked members visit theirs)

# The resident file: read and write per sensitivity level.
register("household.file_read_open", CADRES | WORKERS | {Role.PARTY_AUDITOR, Role.SUPERVISOR})
register("household.file_write_open", CADRES | WORKERS)
register("household.file_read_internal", CADRES | WORKERS | {Role.SUPERVISOR})
register("household.file_write_internal", CADRES | WORKERS)
register("household.file_read_sensitive", CADRES | {Role.GRID_LEADER, Role.SUPERVISOR})
register("household.file_write_sensitive", CADRES)
register("household.inspect", CADRES | WORKERS)  # monthly household inspections (庭院卫生, 垃圾分类 …)
register("household.branch_record", CADRES)  # a village's branch uploads 三会一课 / 主题党日 / 三务公开 records
register("household.bulletin", CADRES | {Role.PARTY_AUDITOR})  # the weekly 红榜村 / 黑榜村 bulletin
register("household.credit_consent", CADRES)  # record / revoke a household's consent to the credit export
register("household.credit_export", CADRES)  # the signed 积分授信 export for a partner bank
register("household.patrol", WORKERS)  # the patrol page (a check-in is for the role a window names)
register("household.patrol_manage", CADRES)  # patrol windows (巡查打卡)
register("household.patrol_view", CADRES | {Role.GRID_LEADER, Role.PARTY_AUDITOR, Role.SUPERVISOR})  # who missed
register("household.rule", CADRES)  # a village's rules (村规民约)
register("household.breach", CADRES | WORKERS)  # record or revoke a household's breach of them
