"""What tasks put in people's inboxes: a new task for the workers below its node, each decision on a worker's
claim, a claim entering an evaluator's or an auditor's queue, and a change to or the withdrawal of a task someone
holds a place on. The kinds are registered from
``engines.register``; the services call these inside their transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import notify, phrase, when_said
from gridgov.orgs.models import Role
from gridgov.orgs.tree import nearest_holders, people_under
from gridgov.tasks.models import INACTIVE_CLAIM_STATES
from gridgov.tasks.workflow import Event

TASK_TAKERS = (Role.GRID_WORKER, Role.GRID_LEADER)
TASK_PUBLISHED = "task_published"
TASK_CHANGED = "task_changed"
TASK_WITHDRAWN = "task_withdrawn"
QUEUE_WINDOW = timedelta(hours=2)  # hand-ins arriving together are one message to the cadre
# A claim entering a queue: who decides there, the kind, its label, its title, the summary of several, the queue.
QUEUES = {
    Event.SUBMIT: ((Role.COMMUNITY_CADRE,), "claim_to_evaluate", _("Work to evaluate"), _("To evaluate: %(task)s"),
                   _("%(count)s claims are waiting for your evaluation"), "tasks:evaluation_queue"),
    Event.SEND_BACK: ((Role.COMMUNITY_CADRE,), "claim_to_evaluate", _("Work to evaluate"),
                      _("Sent back by the audit, to evaluate again: %(task)s"),
                      _("%(count)s claims are waiting for your evaluation"), "tasks:evaluation_queue"),
    Event.APPROVE: ((Role.PARTY_AUDITOR,), "claim_to_audit", _("Work to audit"), _("To audit: %(task)s"),
                    _("%(count)s claims are waiting for your audit"), "tasks:audit_queue"),
}
# What a claimant hears of a change, field by field (the deadline says when it now is).
CHANGES = {
    "title": _("the title"),
    "description": _("the description"),
    "requires_photo": _("whether photos are required"),
    "requires_text": _("whether a description of the work is required"),
    "requires_location": _("whether the location is required"),
}
# Several phrases as one, joined the Chinese way, worded when the message is (in ``notify``'s language).
listed = lazy(lambda *parts: "、".join(str(part) for part in parts), str)
DECISION_WINDOW = timedelta(hours=1)  # a batch of confirmations is one message
# A decision on a claim: its kind, the kind's label, its title, its body and the summary of several.
DECISIONS = {
    Event.APPROVE: ("claim_approved", _("Evaluation passed"), _("Passed evaluation: %(task)s"),
                    _("Waiting for the party committee's audit."), _("%(count)s of your claims passed evaluation")),
    Event.REJECT: ("claim_rejected", _("Returned to you"), _("Returned for more evidence: %(task)s"),
                   _("Reason: %(reason)s"), _("%(count)s of your claims were returned for more evidence")),
    Event.CONFIRM: ("claim_confirmed", _("Audit passed"), _("Passed audit: %(task)s"),
                    _("%(points)s points granted."), _("%(count)s of your claims passed audit")),
    Event.SEND_BACK: ("claim_sent_back", _("Sent back by the audit"), _("Sent back for a new evaluation: %(task)s"),
                      _("Reason: %(reason)s"), _("%(count)s of your claims were sent back for a new evaluation")),
}


def register() -> None:
    register_kind(Kind(TASK_PUBLISHED, _("New task"), summary=_("%(count)s new tasks in your grid"),
                       group_window=timedelta(hours=12), grouped_url="tasks:square"))
    for code, label, _title, _body, summary in DECISIONS.values():
        register_kind(Kind(code, label, summary=summary, group_window=DECISION_WINDOW, grouped_url="tasks:mine"))
    for _roles, code, label, _title, summary, queue in QUEUES.values():
        register_kind(Kind(code, label, summary=summary, group_window=QUEUE_WINDOW, grouped_url=queue))
    register_kind(Kind(TASK_CHANGED, _("Task changed")))
    register_kind(Kind(TASK_WITHDRAWN, _("Task withdrawn")))


def task_published(task, *, now) -> None:
    """Every active grid worker and grid leader whose role lies under the task's node (those who may claim it)."""
    notify(kind=TASK_PUBLISHED, recipients=people_under([task.node.path], roles=TASK_TAKERS),
           title=phrase(_("New task: %(title)s"), title=task.title), url=reverse("tasks:task_detail", args=[task.pk]),
           node=task.node, group_key=f"node:{task.node_id}", now=now,
           body=phrase(_("%(points)s points · due %(deadline)s"), points=task.points,
                       deadline=when_said(task.deadline)))


def claim_decided(claim, event: str, *, now) -> None:
    """The worker hears of each evaluation and audit of their claim."""
    if event not in DECISIONS:
        return
    code, _label, title, body, _summary = DECISIONS[event]
    notify(kind=code, recipients=[claim.worker_id], title=phrase(title, task=claim.task.title),
           body=phrase(body, reason=claim.reason, points=claim.points_awarded), node=claim.node,
           url=reverse("tasks:claim_detail", args=[claim.pk]), group_key="claims", now=now)


def claim_queued(claim, event: str, *, now) -> None:
    """The cadres whose turn it now is hear that a claim waits for them: the nearest community cadres for an
    evaluation (the one who evaluated it, when the audit sends it back), the nearest auditors for an audit. Nobody
    hears of their own work, nor an auditor of a claim they evaluated (they may not audit it)."""
    if event not in QUEUES:
        return
    roles, code, _label, title, _summary, _queue = QUEUES[event]
    if event == Event.SEND_BACK and claim.evaluator_id and claim.evaluator.is_active:
        recipients = [claim.evaluator_id]
    else:
        recipients = nearest_holders(node=claim.node, roles=roles,
                                     exclude_ids={claim.worker_id, claim.evaluator_id} - {None})
    notify(kind=code, recipients=recipients, title=phrase(title, task=claim.task.title), node=claim.node,
           body=phrase(_("%(worker)s · %(node)s"), worker=claim.worker.name, node=claim.node.name),
           url=reverse("tasks:claim_detail", args=[claim.pk]), group_key=code, now=now)


def _claimants(task):
    """The workers holding a place on ``task`` (released and expired claims hold none)."""
    return list(task.claims.exclude(state__in=INACTIVE_CLAIM_STATES).values_list("worker_id", flat=True))


def task_changed(task, *, changed: set[str], now) -> None:
    """Everyone holding a place hears what changed; a change of places alone concerns nobody who holds one."""
    parts = [CHANGES[name] for name in CHANGES if name in changed]
    if "deadline" in changed:
        parts.insert(0, phrase(_("the deadline, now %(deadline)s"), deadline=when_said(task.deadline)))
    if not parts:
        return
    notify(kind=TASK_CHANGED, recipients=_claimants(task), title=phrase(_("Task changed: %(title)s"), title=task.title),
           body=phrase(_("Changed: %(changes)s."), changes=listed(*parts)), node=task.node, now=now,
           url=reverse("tasks:task_detail", args=[task.pk]))


def task_withdrawn(task, *, released, handed_in, now) -> None:
    """Workers whose places were released need do nothing more; those who handed in wait for the evaluation."""
    title = phrase(_("Task withdrawn: %(title)s"), title=task.title)
    url = reverse("tasks:task_detail", args=[task.pk])
    for recipients, body in (
        (released, _("Reason: %(reason)s. Your place is released; nothing more needs doing.")),
        (handed_in, _("Reason: %(reason)s. The work you handed in is still evaluated and audited.")),
    ):
        if recipients:
            notify(kind=TASK_WITHDRAWN, recipients=recipients, title=title, url=url, node=task.node, now=now,
                   body=phrase(body, reason=task.withdraw_reason))
