"""Task pages: the worker's phone pages and the cadre's desk pages. Thin: forms in, services, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, message_of
from gridgov.media import private_jpeg
from gridgov.orgs.models import NodeKind
from gridgov.orgs.overview import breadcrumbs
from gridgov.orgs.permissions import can, role_paths
from gridgov.orgs.selectors import search_nodes
from gridgov.pages import back_to, page_of, person_of, refuse_in_form, run_action
from gridgov.tasks import selectors, services
from gridgov.tasks.forms import (
    PUBLISH_KINDS,
    AuditForm,
    EvaluateForm,
    EvidenceForm,
    NoticeForm,
    PublishForm,
    TaskEditForm,
    WithdrawForm,
)
from gridgov.tasks.models import Claim, EvidencePhoto, Task
from gridgov.tasks.workflow import allowed_events

PUBLISHED_CLAIMANTS = 5  # the latest claimants of each in that list; the task's page lists more


def _render(request, person, template, context):
    """Render with the task navigation this person's roles open up."""
    roles = {name: bool(role_paths(person, f"task.{name}"))
             for name in ("claim", "publish", "evaluate", "audit", "view")}
    return render(request, template, {**context, "tasks_nav": roles})




# ---------------------------------------------------------------- worker pages


@login_required
def square(request):
    person = person_of(request)
    tasks = selectors.task_square(person=person)[:200]
    mine = set(selectors.claims_of(worker=person).filter(task__in=tasks).exclude(
        state__in=("released", "expired")).values_list("task_id", flat=True))
    return _render(request, person, "tasks/square.html", {"tasks": tasks, "mine": mine})


@login_required
def task_detail(request, pk):
    person = person_of(request)
    task = get_object_or_404(selectors.tasks_visible_to(person=person), pk=pk)
    return _task_page(request, person, task)


@login_required
@require_POST
def task_claim(request, pk):
    person = person_of(request)
    task = get_object_or_404(Task, pk=pk)
    run_action(request, lambda: services.task_claim(actor=person, task=task),
         success=_("Claimed. Hand in the evidence before the deadline."))
    return redirect("tasks:mine")


@login_required
def mine(request):
    person = person_of(request)
    return _render(request, person, "tasks/mine.html", {"claims": selectors.claims_of(worker=person)[:200]})


@login_required
def claim_detail(request, pk):
    """The claim, its history of decisions, and (for its worker, when allowed) the evidence form."""
    person = person_of(request)
    claim = get_object_or_404(Claim.objects.select_related("task", "worker", "node", "evaluator", "auditor"), pk=pk)
    if not selectors.claim_visible(person=person, claim=claim):
        raise Http404
    is_worker = claim.worker_id == person.pk
    events = allowed_events(claim.state)
    form = EvidenceForm(initial={"text": claim.evidence_text}) if is_worker and "submit" in events else None
    if request.method == "POST" and form is not None:
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.claim_submit(actor=person, claim=claim, text=data["text"], latitude=data["latitude"],
                                      longitude=data["longitude"], photos=data["photos"])
            except DomainError as error:
                refuse_in_form(form, error)
            else:
                messages.success(request, _("Submitted for evaluation."))
                return redirect("tasks:mine")
    return _render(request, person, "tasks/claim_detail.html", {
        "claim": claim, "form": form, "is_worker": is_worker, "may_release": is_worker and "release" in events,
        "decide": _decision_for(person, claim, events),
    })


def _decision_for(person, claim, events) -> dict | None:
    """The evaluation or audit form, on the claim's own page, for whoever may decide it now."""
    if claim.worker_id == person.pk:
        return None
    if "approve" in events and can(person, "task.evaluate", claim):
        return {"template": "tasks/_evaluation_item.html", "form": EvaluateForm()}
    if "confirm" in events and can(person, "task.audit", claim) and claim.evaluator_id != person.pk:
        return {"template": "tasks/_audit_item.html", "form": AuditForm()}
    return None


@login_required
@require_POST
def claim_release(request, pk):
    person = person_of(request)
    claim = get_object_or_404(Claim.objects.select_related(*services.ACTION_RELATED), pk=pk)
    run_action(request, lambda: services.claim_release(actor=person, claim=claim),
         success=_("Released; the place is free again."))
    return redirect("tasks:mine")


@login_required
def photo(request, pk):
    """Evidence photos are not public: only people who may see the claim get the file."""
    person = person_of(request)
    photo = get_object_or_404(EvidencePhoto.objects.select_related("claim", "claim__node"), pk=pk)
    if not selectors.claim_visible(person=person, claim=photo.claim):
        raise Http404
    return private_jpeg(photo.image)


# ---------------------------------------------------------------- cadre pages


# Where a refusal of a cadre's form belongs: next to the field it is about, else at the top.
REFUSAL_FIELDS = {"areas_overlap": "nodes", "deadline_earlier": "deadline", "places_below_taken": "places",
                  "reason_required": "reason"}


def _refuse_at_field(form, error: DomainError) -> None:
    field = REFUSAL_FIELDS.get(error.code)
    if field in form.fields:
        form.add_error(field, message_of(error))
    else:
        refuse_in_form(form, error)


@login_required
def publish(request):
    person = person_of(request)
    form = PublishForm(request.POST or None, person=person)
    if not form.fields["nodes"].queryset.exists():
        raise Http404(_("You may not publish tasks."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            published = services.tasks_publish(
                actor=person, nodes=list(data["nodes"]), title=data["title"], description=data["description"],
                work_type=data["work_type"], grade=data["grade"], points=data["points"], places=data["places"],
                deadline=data["deadline"], requires_photo=data["requires_photo"], requires_text=data["requires_text"],
                requires_location=data["requires_location"], recurrence=data["recurrence"] or "")
        except DomainError as error:
            _refuse_at_field(form, error)
        else:
            messages.success(request, ngettext("Published to %(count)d area.", "Published to %(count)d areas.",
                                               len(published)) % {"count": len(published)})
            return redirect("tasks:published")
    return _render(request, person, "tasks/publish.html", {"form": form, "groups": form.area_groups()})


@login_required
def publish_areas(request):
    """The areas matching ``?q=`` (name or pinyin initials) that the person may publish to: the picker's search."""
    person = person_of(request)
    query = request.GET.get("q", "").strip()
    allowed = set(selectors.publish_areas(person=person, kinds=PUBLISH_KINDS).values_list("pk", flat=True))
    found = [node for node in search_nodes(person, query) if node.pk in allowed] if query else []
    crumbs = breadcrumbs(found)
    results = [(node, " › ".join(ancestor.name for ancestor in crumbs[node.pk] if ancestor.kind != NodeKind.DISTRICT))
               for node in found]
    return render(request, "tasks/_area_results.html", {"query": query, "results": results})


def _link_base(name: str) -> str | None:
    """The start of the URL ``name`` has for any pk (``/tasks/claims/``), for a long list to append ``<pk>/`` to
    rather than reverse a URL a row (250 claimants' links were a fifth of the published tasks' Python time, issue
    18); None where the URL does not end in its pk (the template reverses then)."""
    url = reverse(name, args=[0])
    return url[:-2] if url.endswith("/0/") else None


@login_required
def published(request):
    person = person_of(request)
    page = page_of(request, selectors.tasks_published_in(person=person))
    progress = selectors.task_progress(page.object_list, claimants=PUBLISHED_CLAIMANTS)
    task_link = _link_base("tasks:task_detail")
    return _render(request, person, "tasks/published.html", {
        "page": page, "claim_link": _link_base("tasks:claim_detail"),
        "rows": [(task, progress[task.pk], f"{task_link}{task.pk}/" if task_link else reverse(
            "tasks:task_detail", args=[task.pk])) for task in page.object_list]})


def _managed_task(request, pk):
    """The task if the person may publish in its area (and so change or withdraw it), else 404."""
    person = person_of(request)
    task = get_object_or_404(selectors.tasks_published_in(person=person), pk=pk)
    return person, task


def _task_page(request, person, task, *, withdraw_form=None, status=200):
    """The task's page; for a cadre who may publish there, with its claimants, progress and actions."""
    claim = selectors.claims_of(worker=person).filter(task=task).exclude(state__in=("released", "expired")).first()
    context = {"task": task, "claim": claim, "manage": can(person, "task.publish", task)}
    if context["manage"]:
        context["progress"] = selectors.task_progress([task])[task.pk]
        context["withdraw_form"] = withdraw_form or WithdrawForm()
    response = _render(request, person, "tasks/task_detail.html", context)
    response.status_code = status
    return response


@login_required
def task_edit(request, pk):
    person, task = _managed_task(request, pk)
    form = TaskEditForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_edit(actor=person, task=task, **form.cleaned_data)
        except DomainError as error:
            _refuse_at_field(form, error)
        else:
            messages.success(request, _("Saved. Its claimants are told what changed."))
            return redirect("tasks:task_detail", pk=task.pk)
    return _render(request, person, "tasks/task_edit.html", {"task": task, "form": form})


@login_required
@require_POST
def task_withdraw(request, pk):
    person, task = _managed_task(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        taken = task.claimed_count
        try:
            task = services.task_withdraw(actor=person, task=task, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _refuse_at_field(form, error)
        else:
            messages.success(request, _("Withdrawn; %(count)d places released and their workers told.")
                             % {"count": taken - task.claimed_count})
            return redirect("tasks:task_detail", pk=task.pk)
    return _task_page(request, person, task, withdraw_form=form, status=400)


@login_required
def evaluation_queue(request):
    person = person_of(request)
    return _render(request, person, "tasks/evaluation_queue.html",
                   {"page": page_of(request, selectors.evaluation_queue_in_order(person=person))})


@login_required
def audit_queue(request):
    person = person_of(request)
    return _render(request, person, "tasks/audit_queue.html",
                   {"page": page_of(request, selectors.audit_queue_in_order(person=person))})


# A decision on one claim. From a queue page with htmx the answer is that claim's item again: decided, or with
# the refusal next to the fields and what was typed kept, so the cadre stays in their place in the queue.
# Without script the page is posted as usual and comes back with a message.
DECISIONS = {
    "evaluate": (EvaluateForm, "tasks/_evaluation_item.html", "tasks:evaluation_queue"),
    "audit": (AuditForm, "tasks/_audit_item.html", "tasks:audit_queue"),
}


def _decide(request, pk, kind):
    person = person_of(request)
    claim = get_object_or_404(Claim.objects.select_related(*services.ACTION_RELATED, "evaluator"), pk=pk)
    form_class, template, queue = DECISIONS[kind]
    form = form_class(request.POST)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "evaluate":
                approve = data["decision"] == "approve"
                services.claim_evaluate(actor=person, claim=claim, approve=approve,
                                        adjustment=data["adjustment"] or 0, reason=data["reason"])
                done = _("Approved.") if approve else _("Sent back to the worker.")
            else:
                confirm = data["decision"] == "confirm"
                services.claim_audit(actor=person, claim=claim, confirm=confirm, reason=data["reason"])
                done = _("Confirmed; the points are granted.") if confirm else _("Sent back to the evaluator.")
        except DomainError as error:
            refuse_in_form(form, error)
    if request.headers.get("HX-Request"):
        claim.refresh_from_db()
        return render(request, template, {"claim": claim, "form": form, "done": done,
                                          "next": request.POST.get("next", "")})
    if done:
        messages.success(request, done)
    else:
        for error in form.non_field_errors() or [_("The decision was not understood.")]:
            messages.error(request, error)
    return back_to(request, queue)


@login_required
@require_POST
def claim_evaluate(request, pk):
    return _decide(request, pk, "evaluate")


@login_required
@require_POST
def claim_audit(request, pk):
    return _decide(request, pk, "audit")


@login_required
@require_POST
def audit_batch(request):
    """Confirm the ticked claims in one POST; each claim is its own transaction and its own grant."""
    person = person_of(request)
    ids = [value for value in request.POST.getlist("claim") if value.isdigit()][:100]
    claims = Claim.objects.filter(pk__in=ids).select_related(*services.ACTION_RELATED).order_by("pk")
    results = services.claims_confirm_batch(actor=person, claims=claims)
    done = [claim for claim, error in results if error is None]
    if done:
        messages.success(request, _("%(count)d confirmed; points granted.") % {"count": len(done)})
    for claim, error in results:
        if error is not None:
            messages.error(request, f"{claim.task.title} · {claim.worker.name}: {message_of(error)}")
    if not ids:
        messages.info(request, _("Tick at least one claim."))
    return back_to(request, "tasks:audit_queue")  # the page of the queue the claims were ticked on


@login_required
def overdue(request):
    person = person_of(request)
    return _render(request, person, "tasks/overdue.html", {"page": page_of(request, selectors.overdue_for(person=person)),
                                                           "claim_link": _link_base("tasks:claim_detail")})


@login_required
def notices(request):
    person = person_of(request)
    form = NoticeForm(request.POST or None, person=person)
    may_post = form.fields["node"].queryset.exists()
    if request.method == "POST" and may_post and form.is_valid():
        data = form.cleaned_data
        if run_action(request, lambda: services.notice_publish(actor=person, node=data["node"], title=data["title"],
                                                                 body=data["body"]), success=_("Notice posted.")):
            return redirect("tasks:notices")
    return _render(request, person, "tasks/notices.html", {
        "notices": selectors.notices_for(person=person)[:100], "form": form if may_post else None,
    })
