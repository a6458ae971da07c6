"""Village-rule compliance (村规民约): each village or community keeps its rules as data, and a cadre or grid
worker of the area records a household's breach of one (the day, a note); a breach is revoked with a reason,
never deleted. Every write is audited. A household is compliant when no breach stands in the last
``COMPLIANCE_DAYS`` days; the credit export (积分授信) carries both figures.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import Conflict, Invalid, NotFound, refusal
from gridgov.households.models import Household, RuleBreach, VillageRule
from gridgov.households.villages import VILLAGE_KINDS
from gridgov.limits import check_date, text_within
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import grant_for, require
from gridgov.orgs.tree import ancestor_paths

COMPLIANCE_DAYS = 365
MAX_RULE = VillageRule._meta.get_field("text").max_length
MAX_NOTE = RuleBreach._meta.get_field("note").max_length
MAX_REASON = RuleBreach._meta.get_field("revoke_reason").max_length


def rule_create(*, actor, node: Node, code: str, text: str, order: int = 0) -> VillageRule:
    """Add an article to the rules of ``node`` (a village or community)."""
    if not isinstance(node, Node) or node.kind not in VILLAGE_KINDS:
        raise refusal("rule_node", _("Village rules belong to a village or a community."))
    grant = require(actor, "household.rule", node)
    code = str(code or "").strip()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
        raise Invalid(_("Give the rule a short code of letters, digits and dashes."))
    text = text_within(text, limit=MAX_RULE, label=_("The rule"))
    if not text:
        raise Invalid(_("Write the rule."))
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 1000:
        raise Invalid(_("The order is a whole number from 0 to 1000."))
    try:
        with transaction.atomic():
            rule = VillageRule.objects.create(node=node, code=code, text=text, order=order)
            audit_record(actor=actor, role=grant.role, action="household.rule", target=rule,
                         after=snapshot(rule, ["code", "text", "order"]))
    except IntegrityError:
        raise refusal("duplicate_rule", _("%(node)s already has a rule with this code.")
                      % {"node": node.name}) from None
    return rule


def rules_for(household: Household):
    """The active rules of the villages or communities above ``household``."""
    return (VillageRule.objects.filter(node__path__in=ancestor_paths(household.node.path), is_active=True)
            .select_related("node").order_by("node__path", "order", "code"))


def breach_record(*, actor, household: Household, rule: VillageRule, occurred_on, note: str = "",
                  now=None) -> RuleBreach:
    """Record that ``household`` broke ``rule`` (one of its village's) on ``occurred_on``."""
    grant = require(actor, "household.breach", household)
    if not isinstance(rule, VillageRule) or not rules_for(household).filter(pk=rule.pk).exists():
        raise refusal("unknown_rule", _("This rule is not among the rules of the household's village."))
    occurred_on = check_date(occurred_on, label=_("The day it happened"), past=True)
    note = text_within(note, limit=MAX_NOTE, label=_("The note"))
    with transaction.atomic():
        breach = RuleBreach.objects.create(household=household, rule=rule, node=household.node,
                                           occurred_on=occurred_on, note=note, recorded_by=actor,
                                           recorded_at=now or timezone.now())
        audit_record(actor=actor, role=grant.role, action="household.breach", target=household,
                     after={"breach": breach.pk, "rule": rule.code, "occurred_on": occurred_on})
    return breach


def breach_revoke(*, actor, breach: RuleBreach, reason: str, now=None) -> RuleBreach:
    """Revoke a breach recorded in error (the reason is kept); it no longer counts against the household."""
    grant = require(actor, "household.breach", breach.household)
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))
    if not reason:
        raise Invalid(_("Say why the breach is revoked."))
    with transaction.atomic():
        breach = RuleBreach.objects.select_for_update().get(pk=breach.pk)
        if breach.revoked_at is not None:
            raise Conflict(_("This breach has already been revoked."), code="invalid_state")
        breach.revoked_at, breach.revoked_by, breach.revoke_reason = now or timezone.now(), actor, reason
        breach.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(actor=actor, role=grant.role, action="household.breach_revoke", target=breach.household,
                     before={"breach": breach.pk, "rule": breach.rule.code}, reason=reason)
    return breach


def breach_for(*, actor, pk) -> RuleBreach:
    breach = RuleBreach.objects.select_related("household__node", "rule").filter(pk=pk).first()
    if breach is None or grant_for(actor, "household.view", breach.household) is None:
        raise NotFound()
    return breach


def breaches_of(household: Household, *, limit: int = 50) -> list[RuleBreach]:
    return list(household.breaches.select_related("rule", "recorded_by").order_by("-occurred_on", "-pk")[:limit])


def compliance_since(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=COMPLIANCE_DAYS)


def breach_counts(household_ids, *, today: date | None = None) -> dict[int, int]:
    """``{household id: standing breaches in the last 12 months}`` (one grouped query)."""
    rows = (RuleBreach.objects.filter(household_id__in=list(household_ids), revoked_at__isnull=True,
                                      occurred_on__gt=compliance_since(today))
            .values("household_id").order_by().annotate(count=Count("pk")).values_list("household_id", "count"))
    return dict(rows)
