"""Filing reports and moving them along: accept, start, resolve, rate, reassign, escalate, auto-close.

Every change goes through ``_transition``: it locks the report row, checks the event against
``workflow.TRANSITIONS`` and ``workflow.EVENT_RULES`` (role and area, and being the handler or the
reporter), applies the change, recomputes the deadlines, updates the weekly totals (``totals``), closes the
report's open alerts, writes a timeline event and an audit record, all in one transaction. A refusal leaves a
``denied`` audit record.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_denied, audit_record, snapshot
from gridgov.deadlines.scan import close_alerts
from gridgov.errors import DomainError, Invalid, PermissionDenied
from gridgov.geo.selectors import place_located_report
from gridgov.limits import location, text_within
from gridgov.limits import rating as stars
from gridgov.media import process_photo
from gridgov.orgs.models import Node, NodeKind, Person
from gridgov.orgs.permissions import ACTIONS, SYSTEM, Grant, assignments_of, grant_for, role_paths
from gridgov.orgs.tree import COMMUNITY_KINDS, paying_node
from gridgov.reports import inbox, routing, totals, workflow
from gridgov.reports.models import Category, EscalationLevel, Report, ReportEvent, ReportPhoto, ReportState
from gridgov.reports.workflow import Event, Who

REPORT_FIELDS = ["state", "handler_id", "escalation", "response_due_at", "resolution_due_at", "rating", "useful",
                 "reopen_count", "posting_id", "is_public"]
MAX_TEXT = 2000
MAX_ADDRESS = Report._meta.get_field("address").max_length
MAX_COMMENT = Report._meta.get_field("rating_comment").max_length
MAX_REASON = 300  # an escalation's or a reassignment's reason, quoted in the timeline note (500)
NOTE_PREVIEW = 200  # a resolution's first characters on the timeline (the report keeps it whole)
MAX_PHOTOS = 9
MAX_REOPENS = 2
BAD_RATING = 2  # a rating at or below this reopens the report (until MAX_REOPENS)
FILE_NODE_KINDS = (*COMMUNITY_KINDS, NodeKind.GRID, NodeKind.MICRO_GRID, NodeKind.BUILDING)
REPORT_ITEM = "report"  # the item type of reports' alerts (``reports.engines``)


# ---------------------------------------------------------------- filing


def filing_grant(actor, node: Node) -> Grant | None:
    """A person may report about their own area, or about the community/grid they live or work in
    (a node above their micro-grid, down to community level)."""
    if actor is None or not getattr(actor, "is_active", False):
        return None
    if grant := grant_for(actor, "report.file", node):
        return grant
    if actor is SYSTEM or node.kind not in FILE_NODE_KINDS:
        return None
    allowed = ACTIONS["report.file"]
    above = [Grant(role, node_id, path) for role, node_id, path in assignments_of(actor)
             if role in allowed and path.startswith(node.path)]
    return above[0] if above else None


def report_file(*, actor, node: Node, category: Category, text: str = "", address: str = "", latitude=None,
                longitude=None, photos=(), public: bool = False, now=None) -> Report:
    """File a report about ``node``: routed at once to its handler, with both deadlines set. A report with a
    location is filed at the micro-grid that covers it, where boundaries are drawn (``_placed``)."""
    now = now or timezone.now()
    grant = filing_grant(actor, node)
    if grant is None:
        audit_denied(actor=actor, action="report.file", node=node, reason="out_of_scope")
        raise PermissionDenied(_("You may only report about your own area."), code="out_of_scope")
    if not isinstance(category, Category) or not category.is_active:
        raise Invalid(_("Choose one of the listed categories."), code="unknown_category")
    text = (text or "").strip()
    photos = list(photos or [])
    if not text and not photos:
        raise Invalid(_("Describe the problem or add a photo."), code="empty_report")
    if len(text) > MAX_TEXT:
        raise Invalid(_("Keep the description under %(max)d characters.") % {"max": MAX_TEXT}, code="invalid")
    address = text_within(address, limit=MAX_ADDRESS, label=_("The address"))
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many_photos")
    latitude, longitude = location(latitude, longitude) or (None, None)
    if latitude is not None:
        node, grant = _placed(actor, node, grant, latitude=latitude, longitude=longitude)

    processed = [process_photo(upload, keep_location=False) for upload in photos]  # all checked before saving
    handler, rule, level = routing.route(node=node, category=category)
    with transaction.atomic():
        report = Report(
            reporter=actor, node=node, category=category, text=text, address=address,
            latitude=latitude, longitude=longitude, handler=handler, routing_rule=rule, escalation=level,
            is_public=bool(public),
            response_due_at=now + timedelta(hours=category.response_hours),
            resolution_due_at=now + timedelta(hours=category.resolution_hours), created_at=now,
        )
        _set_deadlines(report, now)
        report.save()
        totals.record(totals.counted(report))
        for (content, width, height) in processed:
            ReportPhoto.objects.create(report=report, image=content, width=width, height=height, size=content.size)
        note = _("Routed to %(name)s") % {"name": handler.name} if handler else _("No handler found in this area")
        _event(report, "submit", "", report.state, actor, note, now)
        audit_record(actor=actor, role=grant.role, action="report.file", target=report,
                     after={**snapshot(report, REPORT_FIELDS), "category": category.code, "photos": len(processed),
                            "routing_rule": rule.pk if rule else None})
        inbox.work_order_assigned(report, "submit", actor=actor, now=now)
    return report


def _placed(actor, node: Node, grant: Grant, *, latitude, longitude) -> tuple[Node, Grant]:
    """The node a located report belongs to: the deepest one whose boundary covers the location, if it lies in
    the chosen node (which the reporter may report about) or in the reporter's area; else the chosen node. A
    location outside the street is refused."""
    placed = place_located_report(node=node, lon=longitude, lat=latitude, area_paths=role_paths(actor, "report.file"))
    if placed is None:
        return node, grant
    return placed, filing_grant(actor, placed) or grant


# ---------------------------------------------------------------- the handler's steps


def report_accept(*, actor, report: Report, now=None) -> Report:
    return _transition(actor=actor, report=report, event=Event.ACCEPT, now=now)


def report_start(*, actor, report: Report, now=None) -> Report:
    return _transition(actor=actor, report=report, event=Event.START, now=now)


def report_resolve(*, actor, report: Report, resolution: str, useful: bool = True, now=None) -> Report:
    """Mark the work done; ``useful`` says the report was real and worth the category's points."""
    resolution = text_within(resolution, limit=MAX_TEXT, label=_("What was done"))
    if not resolution:
        raise Invalid(_("Say what was done."), code="invalid")
    preview = resolution if len(resolution) <= NOTE_PREVIEW else resolution[: NOTE_PREVIEW - 1] + "…"

    def change(locked, now):
        locked.resolution = resolution
        locked.useful = bool(useful)
        locked.resolved_at = now

    return _transition(actor=actor, report=report, event=Event.RESOLVE, now=now, change=change, note=preview)


def report_rate(*, actor, report: Report, rating, comment: str = "", now=None) -> Report:
    """The reporter rates the result: 3–5 confirms it; 1–2 reopens it (at most ``MAX_REOPENS`` times)."""
    rating = stars(rating)
    comment = text_within(comment, limit=MAX_COMMENT, label=_("The comment"))

    def choose(locked):
        return Event.REOPEN if rating <= BAD_RATING and locked.reopen_count < MAX_REOPENS else Event.CONFIRM

    def change(locked, now):
        locked.rating = rating
        locked.rating_comment = comment
        if locked.state == ReportState.IN_PROGRESS:  # reopened
            locked.reopen_count += 1
            locked.resolved_at = None
            locked.resolution_due_at = now + timedelta(hours=locked.category.resolution_hours)
        else:
            locked.closed_at = now

    note = f"{rating}★ {comment}".strip()
    report = _transition(actor=actor, report=report, event=choose, now=now, change=change, note=note)
    if report.state == ReportState.CONFIRMED:
        _grant_points(report=report, now=now or timezone.now())
    return report


def report_reassign(*, actor, report: Report, handler: Person | None, reason: str = "", now=None) -> Report:
    """A cadre hands the report to someone else who may handle reports at its node."""
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))

    def change(locked, now):
        if (not isinstance(handler, Person) or not handler.is_active
                or grant_for(handler, "report.handle", locked.node) is None):
            raise Invalid(_("This person cannot handle reports here."), code="invalid_handler")
        if locked.handler_id == handler.pk:
            raise Invalid(_("This person already handles the report."), code="invalid_handler")
        locked.handler = handler
        change.note = _("To %(name)s") % {"name": handler.name} + (f": {reason}" if reason else "")

    return _transition(actor=actor, report=report, event=Event.REASSIGN, now=now, change=change)


def report_escalate(*, actor, report: Report, reason: str = "", now=None) -> Report:
    """Hand the report up one level: the community cadre, then the street cadre."""
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))

    def change(locked, now):
        if locked.escalation >= EscalationLevel.STREET:
            raise Invalid(_("The report is already with the street."), code="cannot_escalate")
        level = locked.escalation + 1
        target = routing.escalation_target(node=locked.node, level=level, current=locked.handler)
        if target is None and level < EscalationLevel.STREET:
            level += 1
            target = routing.escalation_target(node=locked.node, level=level, current=locked.handler)
        if target is None:
            raise Invalid(_("There is no one above to escalate to."), code="cannot_escalate")
        locked.escalation = level
        locked.handler = target
        change.note = (_("To %(level)s: %(name)s") % {"level": EscalationLevel(level).label, "name": target.name}
                       + (f" — {reason}" if reason else ""))

    return _transition(actor=actor, report=report, event=Event.ESCALATE, now=now, change=change)


def report_auto_close(*, report: Report, now=None) -> Report:
    """The deadline engine closes a resolved report the reporter did not rate in time; points still count."""
    now = now or timezone.now()

    def change(locked, now):
        locked.closed_at = now

    report = _transition(actor=SYSTEM, report=report, event=Event.AUTO_CLOSE, now=now, change=change)
    _grant_points(report=report, now=now)
    return report


def reports_auto_close_due(*, now) -> int:
    """Auto-close the resolved reports whose rating time is over (run by the deadline scan); how many."""
    due = Report.objects.filter(auto_close_at__lte=now, state=ReportState.RESOLVED).order_by("auto_close_at", "pk")
    count = 0
    for report in due[:1000]:
        report_auto_close(report=report, now=now)
        count += 1
    return count


# ---------------------------------------------------------------- the one transition function


def _transition(*, actor, report: Report, event, now=None, change=None, note: str = "") -> Report:
    """Apply ``event`` (or ``event(locked_report)``, when the event depends on the locked row's state)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("category", "node").get(pk=report.pk)
        event = event(locked) if callable(event) else event
        grant = _grant_for_event(actor=actor, report=locked, event=event)
        if grant is None:
            denied = True
        else:
            denied = False
            _apply(actor=actor, locked=locked, event=event, grant=grant, now=now, change=change, note=note)
    if denied:  # recorded outside the rolled-back transaction, so the refusal stays in the audit trail
        audit_denied(actor=actor, action=f"report.{event}", target=locked, reason="not_allowed")
        raise PermissionDenied(_("You may not do this to this report."), code="forbidden")
    return locked


def _apply(*, actor, locked: Report, event: str, grant: Grant, now, change, note: str) -> None:
    """Move the locked report along ``event``; InvalidTransition (before any change) if the state forbids it."""
    before = snapshot(locked, REPORT_FIELDS)
    counted = totals.counted(locked)
    from_state = locked.state
    locked.state = workflow.next_state(from_state, event)
    if change is not None:
        change(locked, now)
        note = getattr(change, "note", note) or note
    if event == Event.ACCEPT:
        locked.accepted_at = now
    _set_deadlines(locked, now)
    locked.save()
    totals.record(totals.counted(locked), counted)  # resolving counts in the week's totals; reopening takes it off
    close_alerts(item_type=REPORT_ITEM, item_ids=[locked.pk], now=now)
    _event(locked, event, from_state, locked.state, actor, note, now)
    audit_record(actor=actor, role=grant.role, action=f"report.{event}", target=locked, before=before,
                 after=snapshot(locked, REPORT_FIELDS), reason=note)
    if event in inbox.TITLES:
        inbox.work_order_assigned(locked, event, actor=actor, now=now)


def _grant_for_event(*, actor, report: Report, event: str) -> Grant | None:
    """Who may fire ``event`` on ``report`` (``workflow.EVENT_RULES``); None when the actor may not."""
    who, action = workflow.EVENT_RULES[event]
    grant = None
    if who == Who.SYSTEM:
        grant = Grant("system", report.node_id, report.node.path) if actor is SYSTEM else None
    elif who == Who.REPORTER:
        is_reporter = actor is not None and actor is not SYSTEM and getattr(actor, "pk", None) == report.reporter_id
        grant = Grant("reporter", report.node_id, report.node.path) if is_reporter else None
    elif who == Who.HANDLER:
        is_handler = actor is not None and getattr(actor, "pk", None) == report.handler_id
        grant = grant_for(actor, action, report) if is_handler else None
        grant = grant or grant_for(actor, "report.dispatch", report)
    elif who == Who.DISPATCHER:
        grant = grant_for(actor, action, report)
    return grant


def _set_deadlines(report: Report, now) -> None:
    """Copy the deadline that currently matters into ``due_at`` (and the auto-close time)."""
    category = report.category
    if report.state == ReportState.SUBMITTED:
        report.due_at = report.response_due_at
    elif report.state in (ReportState.ACCEPTED, ReportState.IN_PROGRESS):
        report.due_at = report.resolution_due_at
    else:
        report.due_at = None
    if report.state == ReportState.RESOLVED:
        report.auto_close_at = (report.resolved_at or now) + timedelta(days=category.auto_close_days)
    else:
        report.auto_close_at = None


def _event(report, event, from_state, to_state, actor, note, now) -> ReportEvent:
    person = actor if isinstance(actor, Person) else None
    return ReportEvent.objects.create(report=report, event=event, from_state=from_state, to_state=to_state,
                                      actor=person, actor_name=getattr(actor, "name", "")[:50], note=str(note)[:500],
                                      created_at=now)


# ---------------------------------------------------------------- points


def budget_node_for(report: Report) -> Node | None:
    """The community (or village, cooperative; else the street) whose budget pays for the report."""
    return paying_node(report.node)


def _grant_points(*, report: Report, now) -> None:
    """A confirmed (or auto-closed) useful report earns its category's points, once (idempotency key).

    A refusal (no budget, budget spent) does not undo the confirmation: it goes on the timeline, and the
    same key can be granted later by a cadre without risk of paying twice.
    """
    from gridgov.ledger.services import grant_points

    points = report.category.points
    if not report.useful or points <= 0 or report.posting_id:
        return
    budget_node = budget_node_for(report)
    with translation.override(settings.LANGUAGE_CODE):  # the statement keeps the installation's language
        reason = _("Resident report reward: %(category)s") % {"category": report.category.name}
        filed = timezone.localtime(report.created_at)
        memo = _("Report of %(month)d/%(day)d") % {"month": filed.month, "day": filed.day}
    try:
        posting = grant_points(
            actor=SYSTEM, person=report.reporter, amount=points, idempotency_key=f"report:{report.pk}:points",
            reason=reason, budget_node=budget_node, source=report, memo=memo,
        )
    except DomainError as error:
        message = str(error.message)
        _event(report, "points_refused", report.state, report.state, SYSTEM, message, now)
        return
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(posting_id=posting.pk)
        report.posting_id = posting.pk
        _event(report, "points", report.state, report.state, SYSTEM, f"+{points}", now)

