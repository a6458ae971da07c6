"""The codes of households' refusals (``gridgov.errors``: one status per code). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "already_in_household": (409, "The person already lives in another household; move them out first."),
    "not_a_member": (400, "The person is not a member of this household."),
    "head_required": (400, "A household has exactly one head living in it."),
    "household_node": (400, "A household lies in a micro-grid or a building."),
    "duplicate_household": (409, "Another household already has this code."),
    "already_linked": (409, "The member is already linked to this household."),
    "link_outside_grid": (400, "A member is linked only to households of a grid they serve."),
    "outside_boundary": (400, "The visit's location lies outside the household's micro-grid."),
    "unknown_field": (400, "No such field in the resident file."),
    "unknown_item": (400, "A checked item is not on the visit checklist."),
    "unknown_tag": (400, "No such care tag."),
    "branch_node": (400, "Branch records belong to a village or community; bulletins rank a street's villages."),
    "outside_window": (400, "No patrol window of the person is open now."),
    "already_checked_in": (409, "The person has already checked in for this patrol window today."),
    "outside_grid": (400, "The check-in's location lies outside the grid where the person patrols."),
    "invalid_window": (400, "A patrol window's times or weekdays are not valid."),
    "rule_node": (400, "Village rules belong to a village or a community."),
    "duplicate_rule": (409, "The village already has a rule with this code."),
    "unknown_rule": (400, "No such rule among the village's rules."),
    "invalid_import": (400, "The file cannot be imported; the message and its row errors say why."),
})
