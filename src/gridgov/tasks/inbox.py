"""What tasks put in people's inboxes: a new task for the workers below its node, and each decision on a worker's
claim. The kinds are registered from ``engines.register``; the services call these inside their transaction."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.notifications.registry import Kind
from gridgov.notifications.registry import register as register_kind
from gridgov.notifications.services import notify, phrase, when_said
from gridgov.orgs.models import Role
from gridgov.orgs.tree import people_under
from gridgov.tasks.workflow import Event

TASK_TAKERS = (Role.GRID_WORKER, Role.GRID_LEADER)
TASK_PUBLISHED = "task_published"
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
