"""Writes: rule sets and their versions, computing / publishing / correcting a period, the events that
only this app records (activities, news items, assessments, attendance), and organisations' public codes.
Each checks permission, validates, runs in one transaction and leaves an audit record."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import jobs
from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import Conflict, DomainError, Invalid, NotFound
from gridgov.indices import engine, rules
from gridgov.indices.models import (
    ActivityRecord,
    Assessment,
    Attendance,
    ColourRule,
    Computation,
    ComputationState,
    Index,
    Indicator,
    NewsItem,
    OrgCode,
    RuleSet,
    Run,
    RunState,
    Standing,
)
from gridgov.indices.sources import period_bounds
from gridgov.limits import COUNT_MAX, check_date, text_within
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import SYSTEM, Grant, can, require

OPEN_COMPUTATIONS = (ComputationState.QUEUED, ComputationState.RUNNING)
# A job starts within seconds of its request and a county's computation takes minutes: a request still waiting
# after QUEUED_AT_MOST lost its job, and one still running after RUNNING_AT_MOST lost its worker (a restart in
# the middle: the job backend leaves such a job marked running and never runs it again). The next request for
# the period sends it to a worker again rather than waiting for it for ever.
QUEUED_AT_MOST = jobs.LOST_AFTER
RUNNING_AT_MOST = timedelta(hours=1)
MAX_ASSESSMENT = 10**8  # an assessment's value has at most 8 digits before the point (its column's size)


def may_everywhere(actor, action: str) -> bool:
    """Whether the actor holds ``action`` at every root: runs cover every organisation of the tree."""
    return all(can(actor, action, root) for root in Node.objects.get_root_nodes())


def _require_everywhere(actor, action: str) -> Grant:
    """A run covers every organisation: the actor needs the action at every root of the tree."""
    roots = list(Node.objects.get_root_nodes())
    if not roots:
        return Grant("system" if actor is SYSTEM else "", 0, "")
    return [require(actor, action, root) for root in roots][0]


def check_period(period: str) -> str:
    period = (period or "").strip()
    try:
        period_bounds(period)
    except (ValueError, TypeError):
        raise Invalid(_("%(period)s is not a period like 2026-10, 2026-Q4 or 2026.") % {"period": period},
                              code="invalid_period") from None
    return period


# ----- rule sets -----------------------------------------------------------------------------------------


def rule_set_create(*, actor, definition: dict) -> RuleSet:
    """Store a checked definition as the next version of its code."""
    grant = _require_everywhere(actor, "indices.rules")
    rules.check_definition(definition)
    with transaction.atomic():
        latest = RuleSet.objects.filter(code=definition["code"]).aggregate(v=Max("version"))["v"] or 0
        rule_set = RuleSet.objects.create(
            code=definition["code"], version=latest + 1, name=definition["name"],
            description=definition.get("description", ""), entity_kind=definition["entity_kind"],
            node_kinds=",".join(definition.get("node_kinds", [])), roles=",".join(definition.get("roles", [])),
            period_kind=definition.get("period_kind", "month"), total_index=definition.get("total_index", ""),
            stars=definition.get("stars", []), tiers=definition.get("tiers", []),
        )
        for order, spec in enumerate(definition["indices"]):
            index = Index.objects.create(rule_set=rule_set, code=spec["code"], name=spec.get("name", spec["code"]),
                                         base=Decimal(str(spec.get("base", 0))), order=order)
            Indicator.objects.bulk_create([
                Indicator(index=index, code=i["code"], name=i.get("name", i["code"]), group=i.get("group", ""),
                          source=i["source"], filter=i.get("filter", {}), aggregation=i.get("aggregation", "count"),
                          normalisation=i.get("normalisation", "none"),
                          parameter=None if i.get("parameter") is None else Decimal(str(i["parameter"])),
                          weight=Decimal(str(i.get("weight", 1))), sign=i.get("sign", 1),
                          is_veto=bool(i.get("veto", False)), order=position)
                for position, i in enumerate(spec.get("indicators", []))
            ])
        ColourRule.objects.bulk_create([
            ColourRule(rule_set=rule_set, order=order, colour=rule["colour"], label=rule.get("label", ""),
                       conditions=rule.get("when", []))
            for order, rule in enumerate(definition.get("colours", []))
        ])
        RuleSet.objects.filter(code=rule_set.code).exclude(pk=rule_set.pk).update(is_active=False)
        audit_record(actor=actor, role=grant.role, action="indices.rule_set.create", target=rule_set, node=None,
                     after={"code": rule_set.code, "version": rule_set.version, "definition": definition})
    return rule_set


def rule_set_new_version(*, actor, rule_set: RuleSet, changes: dict | None = None) -> RuleSet:
    """Copy a rule set (with ``changes`` applied to the top-level definition) as its next version."""
    definition = rules.definition_of(rule_set)
    definition.update(changes or {})
    definition["code"] = rule_set.code
    return rule_set_create(actor=actor, definition=definition)


def rule_sets_install(*, actor, definitions: list[dict]) -> list[RuleSet]:
    """Install each shipped scheme once (the demo, ``gridgov indices install``): existing codes are kept."""
    installed = []
    for definition in definitions:
        existing = RuleSet.objects.filter(code=definition["code"]).order_by("-version").first()
        installed.append(existing or rule_set_create(actor=actor, definition=definition))
    return installed


def current_rule_set(scheme: str) -> RuleSet:
    rule_set = RuleSet.objects.filter(code=scheme, is_active=True).order_by("-version").first()
    if rule_set is None:
        raise NotFound(_("There is no active rule set %(scheme)s.") % {"scheme": scheme})
    return rule_set


# ----- runs ----------------------------------------------------------------------------------------------


def run_compute(*, actor, scheme: str, period: str) -> Run:
    """Compute (or recompute) the period's draft. A published period is frozen: correct it instead."""
    grant = _require_everywhere(actor, "indices.compute")
    period = check_period(period)
    with transaction.atomic():
        runs = Run.objects.select_for_update().filter(scheme=scheme, period=period)
        run = runs.filter(state=RunState.DRAFT).first()
        if run is None:
            if runs.filter(state=RunState.PUBLISHED).exists():
                raise Invalid(
                    _("%(period)s is published and frozen; a change needs a correction with a reason.")
                    % {"period": period}, code="frozen")
            run = Run.objects.create(rule_set=current_rule_set(scheme), scheme=scheme, period=period, revision=1)
        run.entity_count = engine.compute(run)
        run.computed_at = timezone.now()
        run.save(update_fields=["entity_count", "computed_at"])
        org_codes_issue_for(run)
        audit_record(actor=actor, role=grant.role, action="indices.run.compute", target=run, node=None,
                     after={"scheme": scheme, "period": period, "revision": run.revision,
                            "rule_set_version": run.rule_set.version, "entities": run.entity_count})
    return run


def run_publish(*, actor, run: Run) -> Run:
    """Freeze a draft: it becomes the period's result; a published revision it corrects is superseded."""
    grant = _require_everywhere(actor, "indices.publish")
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if run.state != RunState.DRAFT:
            raise Invalid(_("Only a draft can be published."), code="frozen")
        previous = Run.objects.filter(scheme=run.scheme, period=run.period, state=RunState.PUBLISHED).first()
        if previous is not None:
            previous.state = RunState.SUPERSEDED
            previous.save(update_fields=["state"])
        run.state = RunState.PUBLISHED
        run.published_at = timezone.now()
        run.published_by = getattr(actor, "name", "")[:50]
        run.save(update_fields=["state", "published_at", "published_by"])
        RuleSet.objects.filter(pk=run.rule_set_id, locked_at__isnull=True).update(locked_at=run.published_at)
        audit_record(actor=actor, role=grant.role, action="indices.run.publish", target=run, node=None,
                     after={"scheme": run.scheme, "period": run.period, "revision": run.revision,
                            "supersedes": previous.revision if previous else None})
    return run


def run_correct(*, actor, scheme: str, period: str, reason: str) -> Run:
    """A new draft revision of a published period, under the rules it was published with, and why."""
    grant = _require_everywhere(actor, "indices.publish")
    period = check_period(period)
    reason = text_within(reason, limit=Run._meta.get_field("reason").max_length, label=_("The reason"))
    if not reason:
        raise Invalid(_("A correction needs a reason."), code="reason_required")
    with transaction.atomic():
        runs = Run.objects.select_for_update().filter(scheme=scheme, period=period)
        published = runs.filter(state=RunState.PUBLISHED).first()
        if published is None:
            raise Invalid(_("Only a published period is corrected; a draft is simply recomputed."),
                                  code="not_published")
        if runs.filter(state=RunState.DRAFT).exists():
            raise Conflict(_("A correction of this period is already in progress."))
        revision = runs.aggregate(r=Max("revision"))["r"] + 1
        run = Run.objects.create(rule_set=published.rule_set, scheme=scheme, period=period, revision=revision,
                                 reason=reason)
        run.entity_count = engine.compute(run)
        run.computed_at = timezone.now()
        run.save(update_fields=["entity_count", "computed_at"])
        audit_record(actor=actor, role=grant.role, action="indices.run.correct", target=run, node=None,
                     reason=reason, after={"scheme": scheme, "period": period, "revision": revision})
    return run


# ----- computations in the background ---------------------------------------------------------------


def computation_request(*, actor, scheme: str, period: str, correction: bool = False, reason: str = "") -> Computation:
    """Ask for a period to be computed (or corrected, with a reason) by a background job, and return the request.

    The checks that can refuse at once (who may, which period, frozen or not) are made here, so the person asking
    hears the refusal now rather than from a failed job. A request for a period already being computed returns
    that request: a double tap or two cadres asking at once start one job.
    """
    grant = _require_everywhere(actor, "indices.publish" if correction else "indices.compute")
    period = check_period(period)
    current_rule_set(scheme)
    reason = (reason or "").strip()
    runs = Run.objects.filter(scheme=scheme, period=period)
    if correction:
        if not reason:
            raise Invalid(_("A correction needs a reason."), code="reason_required")
        if not runs.filter(state=RunState.PUBLISHED).exists():
            raise Invalid(_("Only a published period is corrected; a draft is simply recomputed."),
                          code="not_published")
    elif runs.filter(state=RunState.PUBLISHED).exists() and not runs.filter(state=RunState.DRAFT).exists():
        raise Invalid(_("%(period)s is published and frozen; a change needs a correction with a reason.")
                      % {"period": period}, code="frozen")
    open_request = Computation.objects.filter(scheme=scheme, period=period, state__in=OPEN_COMPUTATIONS).first()
    if open_request is not None:
        if _sent_again_if_lost(open_request, now=timezone.now()):
            open_request.refresh_from_db()
        return open_request
    try:
        with transaction.atomic():
            computation = Computation.objects.create(
                scheme=scheme, period=period, correction=correction, reason=reason,
                requested_by=None if actor is SYSTEM else actor)
            audit_record(actor=actor, role=grant.role, action="indices.computation.request", target=computation,
                         node=None, reason=reason, after={"scheme": scheme, "period": period,
                                                          "correction": correction})
    except IntegrityError:  # asked for at the same moment by someone else: theirs is the request
        return Computation.objects.get(scheme=scheme, period=period, state__in=OPEN_COMPUTATIONS)
    from gridgov.indices.jobs import compute_job

    compute_job.enqueue(computation_id=computation.pk)
    computation.refresh_from_db()
    return computation


def _lost(now) -> Q:
    return (Q(state=ComputationState.QUEUED, requested_at__lt=now - QUEUED_AT_MOST)
            | Q(state=ComputationState.RUNNING, started_at__lt=now - RUNNING_AT_MOST))


def _sent_again_if_lost(computation: Computation, *, now) -> bool:
    """An open request given to a new job if its own was lost (see ``QUEUED_AT_MOST``). A lost run committed
    nothing (``run_compute`` is one transaction); if it was only slow, both runs compute the same draft one
    after the other (the draft is locked) and the request ends done either way; a job that finds the request
    taken does nothing (``computation_run``)."""
    if not Computation.objects.filter(_lost(now), pk=computation.pk).update(state=ComputationState.QUEUED,
                                                                              started_at=None):
        return False
    from gridgov.indices.jobs import compute_job

    compute_job.enqueue(computation_id=computation.pk)
    return True


def computations_resume(*, now) -> int:
    """Every open request whose job was lost, given to a new one (``gridgov jobs resume``); how many."""
    return sum(_sent_again_if_lost(computation, now=now)
               for computation in Computation.objects.filter(_lost(now)).order_by("pk"))


def computation_run(*, computation_id: int) -> Computation:
    """Do a requested computation (the background job), as the person who asked for it. The job takes its
    request first: a second job for the same request (one sent again after it seemed lost) finds it taken."""
    computation = Computation.objects.select_related("requested_by").get(pk=computation_id)
    taken = Computation.objects.filter(pk=computation.pk, state=ComputationState.QUEUED).update(
        state=ComputationState.RUNNING, started_at=timezone.now())
    if not taken:
        return computation
    actor = computation.requested_by or SYSTEM
    try:
        if computation.correction:
            run = run_correct(actor=actor, scheme=computation.scheme, period=computation.period,
                              reason=computation.reason)
        else:
            run = run_compute(actor=actor, scheme=computation.scheme, period=computation.period)
    except DomainError as refusal:
        state, run, message = ComputationState.FAILED, None, str(refusal.message)
    else:
        state, message = ComputationState.DONE, ""
    Computation.objects.filter(pk=computation.pk).update(state=state, run=run, message=message[:500],
                                                         finished_at=timezone.now())
    computation.refresh_from_db()
    return computation


# ----- events recorded here ------------------------------------------------------------------------------


def activity_record(*, actor, node: Node, kind: str, due_on: date, held_on: date | None = None,
                    required: bool = True, note: str = "") -> ActivityRecord:
    grant = require(actor, "indices.record", node)
    kind = text_within(kind, limit=ActivityRecord._meta.get_field("kind").max_length, label=_("The activity"))
    note = text_within(note, limit=ActivityRecord._meta.get_field("note").max_length, label=_("The note"))
    if not kind:
        raise Invalid(_("Name the activity."))
    check_date(due_on, label=_("The due date"))
    if held_on is not None:
        check_date(held_on, label=_("The date held"), past=True)
    with transaction.atomic():
        activity = ActivityRecord.objects.create(node=node, kind=kind, due_on=due_on, held_on=held_on,
                                                 required=required, note=note,
                                                 recorded_by=actor if isinstance(actor, Person) else None)
        audit_record(actor=actor, role=grant.role, action="indices.activity.record", target=activity,
                     after=snapshot(activity, ["kind", "due_on", "held_on", "required"]))
    return activity


def activity_mark_held(*, actor, activity: ActivityRecord, held_on: date) -> ActivityRecord:
    grant = require(actor, "indices.record", activity)
    check_date(held_on, label=_("The date held"), past=True)
    with transaction.atomic():
        activity = ActivityRecord.objects.select_for_update().get(pk=activity.pk)
        before = snapshot(activity, ["held_on"])
        activity.held_on = held_on
        activity.save(update_fields=["held_on"])
        audit_record(actor=actor, role=grant.role, action="indices.activity.held", target=activity, before=before,
                     after=snapshot(activity, ["held_on"]))
    return activity


def activity_held_elsewhere(*, node: Node, kind: str, held_on: date, note: str, reason: str,
                            people=()) -> ActivityRecord:
    """An activity the organisation held through another app (a 主题党日 at a booked base, recorded by the base's
    liaison): it fulfils the organisation's open activity of that kind due that month, else it is recorded as
    an extra one held that day. Called by that app's service, which has checked its own actor; recorded here
    as the system's, with the other app's reason."""
    start, end = period_bounds(f"{held_on:%Y-%m}")
    note = note[:ActivityRecord._meta.get_field("note").max_length]
    with transaction.atomic():
        activity = (ActivityRecord.objects.select_for_update()
                    .filter(node=node, kind=kind, held_on__isnull=True, due_on__gte=start, due_on__lt=end)
                    .order_by("-required", "due_on", "pk").first())
        if activity is not None:
            before = snapshot(activity, ["held_on"])
            activity.held_on = held_on
            activity.note = activity.note or note
            activity.save(update_fields=["held_on", "note"])
            audit_record(actor=SYSTEM, role="system", action="indices.activity.held", target=activity,
                         before=before, after=snapshot(activity, ["held_on"]), reason=reason)
        else:
            activity = ActivityRecord.objects.create(node=node, kind=kind, due_on=held_on, held_on=held_on,
                                                     required=False, note=note)
            audit_record(actor=SYSTEM, role="system", action="indices.activity.record", target=activity,
                         after=snapshot(activity, ["kind", "due_on", "held_on", "required"]), reason=reason)
        if people:
            Attendance.objects.bulk_create([Attendance(activity=activity, person=person, present=True)
                                            for person in people], ignore_conflicts=True)
    return activity


def news_record(*, actor, node: Node, title: str, submitted_on: date, adopted: bool = False,
                spread_count: int = 0) -> NewsItem:
    grant = require(actor, "indices.record", node)
    title = text_within(title, limit=NewsItem._meta.get_field("title").max_length, label=_("The title"))
    if not title:
        raise Invalid(_("A news item needs a title."))
    check_date(submitted_on, label=_("The submission date"), past=True)
    if isinstance(spread_count, bool) or not isinstance(spread_count, int) or not 0 <= spread_count <= COUNT_MAX:
        raise Invalid(_("Times spread is a whole number from 0 to %(max)d.") % {"max": COUNT_MAX})
    with transaction.atomic():
        item = NewsItem.objects.create(node=node, title=title, submitted_on=submitted_on, adopted=adopted,
                                       spread_count=spread_count,
                                       recorded_by=actor if isinstance(actor, Person) else None)
        audit_record(actor=actor, role=grant.role, action="indices.news.record", target=item,
                     after=snapshot(item, ["title", "submitted_on", "adopted", "spread_count"]))
    return item


def assessment_record(*, actor, node: Node, item: str, value, evidence: str, assessed_on: date,
                      person: Person | None = None) -> Assessment:
    """A cadre's scored judgement; without evidence it is refused (it must be answerable later)."""
    grant = require(actor, "indices.record", node)
    item = text_within(item, limit=Assessment._meta.get_field("item").max_length, label=_("The assessment item"))
    evidence = text_within(evidence, limit=Assessment._meta.get_field("evidence").max_length,
                           label=_("The evidence"))
    if not item:
        raise Invalid(_("Name the assessment item."))
    if not evidence:
        raise Invalid(_("An assessment needs its evidence."))
    value = rules.number(value, what=_("The value"))
    if abs(value) >= MAX_ASSESSMENT or value != value.quantize(Decimal("0.01")):
        raise Invalid(_("The value is a number below %(max)d with at most two decimals.") % {"max": MAX_ASSESSMENT})
    check_date(assessed_on, label=_("The assessment date"), past=True)
    if person is not None and not person.roles.filter(node__path__startswith=node.path).exists():
        raise Invalid(_("%(name)s holds no role in %(node)s.") % {"name": person.name, "node": node.name})
    with transaction.atomic():
        assessment = Assessment.objects.create(node=node, person=person, item=item, value=value,
                                               evidence=evidence, assessed_on=assessed_on,
                                               cadre=actor if isinstance(actor, Person) else None)
        audit_record(actor=actor, role=grant.role, action="indices.assessment.record", target=assessment,
                     after={"item": item, "value": str(value), "person_id": getattr(person, "pk", None),
                            "evidence": evidence[:200], "assessed_on": assessed_on.isoformat()})
    return assessment


def attendance_record(*, actor, activity: ActivityRecord, people: list[Person], present: bool = True) -> int:
    grant = require(actor, "indices.record", activity)
    with transaction.atomic():
        rows = [Attendance(activity=activity, person=person, present=present) for person in people]
        Attendance.objects.bulk_create(rows, ignore_conflicts=True)
        audit_record(actor=actor, role=grant.role, action="indices.attendance.record", target=activity,
                     after={"people": [p.pk for p in people], "present": present})
    return len(rows)


# ----- public codes --------------------------------------------------------------------------------------


def org_code_issue(*, actor, node: Node) -> OrgCode:
    """The organisation's permanent code: issued once, never changed (a printed QR must keep working)."""
    grant = require(actor, "indices.record", node)
    with transaction.atomic():
        code, created = OrgCode.objects.get_or_create(node=node)
        if created:
            audit_record(actor=actor, role=grant.role, action="indices.org_code.issue", target=code, node=node)
    return code


def org_codes_issue_for(run: Run) -> int:
    """Give every organisation scored by ``run`` its permanent code if it has none yet (its QR page then
    shows the run's colour). Set-based: one insert for the missing ones, one audit record."""
    scored = Standing.objects.filter(run=run, node__isnull=False).values_list("node_id", flat=True)
    missing = list(Node.objects.filter(pk__in=scored, public_code__isnull=True).values_list("pk", flat=True))
    if missing:
        OrgCode.objects.bulk_create([OrgCode(node_id=pk) for pk in missing], ignore_conflicts=True)
        audit_record(actor=SYSTEM, role="system", action="indices.org_code.issue", target=run, node=None,
                     after={"organisations": len(missing)})
    return len(missing)
