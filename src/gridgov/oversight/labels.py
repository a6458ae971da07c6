"""Readable names for the codes the audit trail stores (actions and the actor's role).

The trail keeps the stable code (it is what searches and the API match on); pages show these labels and
name an action nobody has named yet by its area.
"""

import re

from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Role

ACTION_LABELS = {
    "audit.archive": _("Old audit records archived"),
    "household.branch_record": _("Branch record uploaded"),
    "household.bulletin": _("Village bulletin computed"),
    "household.credit_consent": _("Credit consent recorded"),
    "household.credit_export": _("Credit data exported"),
    "household.credit_revoke": _("Credit consent revoked"),
    "volunteer.points_refused": _("Points for volunteer hours refused"),
    "volunteer.release": _("Volunteer claim given back"),
    "volunteer.service_day": _("Service day rule changed"),
    "api_token.create": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
    "audit.view": _("Audit trail viewed"),
    "claim.approve": _("Task work approved"),
    "claim.confirm": _("Task work confirmed (points)"),
    "claim.expire": _("Task claim expired"),
    "claim.reject": _("Task work rejected"),
    "claim.release": _("Task place released"),
    "claim.send_back": _("Task work sent back"),
    "claim.submit": _("Task evidence submitted"),
    "demo.seed": _("Demo data seeded"),
    "indices.activity.held": _("Activity held"),
    "indices.activity.record": _("Activity recorded"),
    "indices.assessment.record": _("Assessment recorded"),
    "indices.attendance.record": _("Attendance recorded"),
    "geo.boundary_set": _("Boundary drawn"),
    "geo.import": _("Boundaries imported"),
    "indices.computation.request": _("Index computation requested"),
    "indices.compute": _("Indices computed"),
    "indices.demo.seed": _("Demo indices seeded"),
    "indices.news.record": _("News item recorded"),
    "indices.org_code.issue": _("Organisation code issued"),
    "indices.publish": _("Indices published"),
    "indices.record": _("Index facts recorded"),
    "indices.rule_set.create": _("Rule set saved"),
    "indices.rules": _("Rule sets edited"),
    "indices.run.compute": _("Indices computed"),
    "indices.run.correct": _("Published indices corrected"),
    "indices.run.publish": _("Indices published"),
    "indices.view": _("Indices viewed"),
    "merchant.create": _("Merchant registered"),
    "merchant.item_create": _("Catalogue item added"),
    "merchant.item_update": _("Catalogue item changed"),
    "merchant.redeem": _("Points redeemed at a merchant"),
    "merchant.staff_add": _("Merchant staff added"),
    "merchant.staff_remove": _("Merchant staff removed"),
    "merchant.update": _("Merchant changed"),
    "node.create": _("Organisation created"),
    "node.manage": _("Organisations managed"),
    "node.update": _("Organisation changed"),
    "node.view": _("Organisation viewed"),
    "notice.publish": _("Notice published"),
    "orgs.export": _("People exported"),
    "orgs.import": _("People imported"),
    "person.create": _("Person added"),
    "person.manage": _("People managed"),
    "person.update": _("Person changed"),
    "person.view": _("Person viewed"),
    "person.view_private": _("Private details viewed"),
    "points.budget": _("Points budget set"),
    "ledger.checkpoint": _("Ledger checkpoint signed"),
    "ledger.cosign": _("Ledger checkpoint co-signed by a witness"),
    "ledger.split_view": _("Split view of the ledger detected"),
    "points.grant": _("Points granted"),
    "points.post": _("Points posted"),
    "points.reverse": _("Points reversed"),
    "points.view": _("Points viewed"),
    "points.view_own": _("Own points viewed"),
    "report.accept": _("Report accepted"),
    "report.auto_close": _("Report closed automatically"),
    "report.configure": _("Report routing configured"),
    "report.confirm": _("Report confirmed by the reporter"),
    "report.dispatch": _("Report dispatched"),
    "report.escalate": _("Report escalated"),
    "report.file": _("Report filed"),
    "report.handle": _("Report handled"),
    "report.reassign": _("Report reassigned"),
    "report.reopen": _("Report reopened"),
    "report.resolve": _("Report resolved"),
    "report.start": _("Work on a report started"),
    "report.view": _("Report viewed"),
    "rewards.dividend": _("Dividend table viewed"),
    "rewards.manage": _("Merchants managed"),
    "rewards.redeem": _("Points redeemed"),
    "rewards.settlement": _("Merchant settlement viewed"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "task.audit": _("Task work audited"),
    "task.claim": _("Task place claimed"),
    "task.close": _("Task closed"),
    "task.edit": _("Task changed"),
    "task.evaluate": _("Task work evaluated"),
    "task.grade": _("Task grades set"),
    "task.publish": _("Task published"),
    "task.roll": _("Recurring task rolled over"),
    "task.view": _("Task viewed"),
    "task.withdraw": _("Task withdrawn"),
    "booking.book": _("Base visit booked"),
    "household.create": _("Household created"),
    "household.move_in": _("Moved into a household"),
    "household.move_out": _("Moved out of a household"),
    "household.member_change": _("Household member changed"),
    "household.import": _("Households imported from Excel"),
    "household.file_read": _("Sensitive resident file item read"),
    "household.file_write": _("Resident file item changed"),
    "household.tag": _("Care tag added"),
    "household.untag": _("Care tag removed"),
    "household.link": _("Member linked to a household"),
    "household.unlink": _("Household link ended"),
    "household.visit": _("Household visited"),
    "household.inspect": _("Household inspected"),
    "household.patrol": _("Patrol checked in"),
    "household.patrol_window": _("Patrol window set"),
    "household.visit_points_refused": _("Points for a household visit refused"),
    "household.rule": _("Village rule set"),
    "household.breach": _("Village rule breach recorded"),
    "household.breach_revoke": _("Village rule breach revoked"),
    "booking.approve": _("Booking approved"),
    "booking.forward": _("Booking sent to the second review"),
    "booking.hand_over": _("Booking handed to the next reviewer"),
    "booking.reject": _("Booking declined"),
    "booking.cancel": _("Booking cancelled"),
    "booking.reschedule": _("Booking moved to another date"),
    "booking.attend": _("Visit attendance recorded"),
    "booking.no_show": _("Visit recorded as not come"),
    "booking.assign": _("Visit liaison assigned"),
    "booking.rate": _("Visit rated"),
    "booking.base.edit": _("Base page changed"),
    "booking.base.photos": _("Base photos changed"),
    "booking.plan.edit": _("Activity plan changed"),
    "booking.catalogue": _("Base catalogue changed"),
    "volunteer.join": _("Volunteer registered"),
    "volunteer.need": _("Volunteer need posted"),
    "volunteer.review": _("Volunteer need reviewed"),
    "volunteer.cancel": _("Volunteer need cancelled"),
    "volunteer.claim": _("Volunteer need claimed"),
    "volunteer.check_in": _("Volunteer checked in"),
    "volunteer.check_out": _("Volunteer checked out"),
    "volunteer.confirm": _("Volunteer service confirmed"),
    "volunteer.callout": _("Emergency call-out raised"),
    "volunteer.callout_close": _("Emergency call-out closed"),
    "volunteer.answer": _("Call-out answered"),
    "hours.credit": _("Volunteer hours credited"),
}

AREA_LABELS = {
    "claim.": _("Task work"),
    "task.": _("Tasks"),
    "points.": _("Points"),
    "merchant.": _("Merchants"),
    "report.": _("Reports"),
    "indices.": _("Indices"),
    "notice.": _("Notices"),
    "node.": _("Organisations"),
    "person.": _("People"),
    "role.": _("Roles"),
    "orgs.": _("Import and export"),
    "api_token.": _("API tokens"),
    "geo.": _("Boundaries"),
    "rewards.": _("Rewards"),
    "booking.": _("Base bookings"),
    "volunteer.": _("Volunteer service"),
    "hours.": _("Volunteer hours"),
    "household.": _("Households"),
}

ROLE_LABELS = {
    **{role.value: role.label for role in Role},
    "system": _("System"),
    "reporter": _("Reporter"),
    "attendee": _("Visitor"),
    "linked_member": _("Member serving the household"),
}


REASON_LABELS = {
    "deactivated": _("The account is deactivated"),
    "not_allowed": _("Not allowed in this state"),
    "not_attendee": _("Was not among the visitors"),
    "out_of_scope": _("Outside the person's area"),
    "tampered": _("The record was tampered with"),
}
CODED_REASON = re.compile(r"^[a-z]+(?:_[a-z]+)*: ")  # "code: message", as some refusals are recorded
NODE_CODE_SUFFIX = re.compile(r"（[^（）]*）$")  # an organisation recorded as "name（code）"


def reason_text(reason: str) -> str:
    """A record's reason in words: a refusal code by its label, a role by its name, "code: message" as its message."""
    if reason in REASON_LABELS:
        return str(REASON_LABELS[reason])
    if reason in ROLE_LABELS:
        return str(ROLE_LABELS[reason])
    return CODED_REASON.sub("", reason)


def object_text(record) -> str:
    """The record's object as recorded, an organisation without its code."""
    if record.object_type == "orgs.node":
        return NODE_CODE_SUFFIX.sub("", record.object_repr)
    return record.object_repr


def action_label(code: str) -> str:
    """The action's name; an action nobody has named yet is named by its area, never shown as its code."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    area = next((label for prefix, label in AREA_LABELS.items() if code.startswith(prefix)), None)
    return str(_("%(area)s: other action") % {"area": area} if area else _("Other action"))


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code or "—"))


def action_choices() -> list:
    """Choices for a search by action: every area (a prefix) with its named actions underneath."""
    choices: list = [("", _("All actions"))]
    for prefix, area in AREA_LABELS.items():
        actions = sorted((code, label) for code, label in ACTION_LABELS.items() if code.startswith(prefix))
        choices.append((area, [(prefix, _("All: %(area)s") % {"area": area}), *actions]))
    return choices
