"""Index pages: rankings per level, explanations, an organisation's history, my pioneer index, the cadre's
event forms, the .xlsx 亮分公示 list and the public page behind each organisation's QR code. Thin views."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import DomainError, message_of
from gridgov.indices import exports, publicity, selectors, services
from gridgov.indices.forms import ActivityForm, AssessmentForm, NewsForm
from gridgov.indices.models import Computation, EntityKind, Run, Standing
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import can, may_somewhere
from gridgov.orgs.selectors import in_scope
from gridgov.pages import person_of, refuse_in_form
from gridgov.replicas import replica_reads

RECORD_KINDS = [NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE, NodeKind.GRID]


def _visible_parents(person, run: Run) -> list[Node]:
    return [node for node in selectors.ranking_parents(run) if can(person, "indices.view", node)]


def _tiers(run: Run) -> dict:
    return {tier["code"]: tier.get("label", tier["code"]) for tier in run.rule_set.tiers}


@login_required
def home(request):
    """Each scheme with the recent months whose ranking the person may open: a ranking is shown per parent
    organisation (a street's communities, a district's streets), so a community cadre sees no street-wide
    ranking and a street cadre no district-wide one (their own organisation's history is on its page)."""
    person = person_of(request)
    if not may_somewhere(person, "indices.view"):
        raise Forbidden(_("You may not see the index rankings."))
    listed = [(rule_set, list(selectors.runs_of(rule_set.code)[:6])) for rule_set in selectors.schemes()]
    parents = selectors.ranking_parents_of([run for _rule_set, runs in listed for run in runs])
    rows = []
    for rule_set, runs in listed:
        visible = [run for run in runs if any(can(person, "indices.view", node) for node in parents[run.pk])]
        if visible or not runs:  # a scheme not computed yet is still listed, one out of reach is not
            rows.append((rule_set, visible))
    return render(request, "indices/home.html", {"rows": rows})


@replica_reads
@login_required
def ranking(request, scheme: str, period: str):
    person = person_of(request)
    run = selectors.run_for(scheme, period)
    if run is None:
        raise Http404(_("This period has not been computed."))
    parents = _visible_parents(person, run)
    if not parents:
        raise Forbidden(_("You may not see this ranking."))
    parent = next((p for p in parents if str(p.pk) == request.GET.get("parent")), parents[0])
    indices, rows = selectors.ranking(run, parent=parent)
    may_see_names = can(person, "person.view", parent)
    return render(request, "indices/ranking.html", {
        "run": run, "indices": indices, "rows": rows, "parents": parents, "parent": parent, "tiers": _tiers(run),
        "may_see_names": may_see_names, "is_person": run.rule_set.entity_kind == EntityKind.PERSON,
        "periods": list(selectors.runs_of(scheme).values_list("period", flat=True).distinct()),
        "may_compute": services.may_everywhere(person, "indices.compute") and not run.is_frozen,
        "may_publish": services.may_everywhere(person, "indices.publish") and not run.is_frozen,
        "computing": selectors.open_computation(scheme, period),
    })


@replica_reads
@login_required
def ranking_xlsx(request, scheme: str, period: str):
    person = person_of(request)
    run = selectors.run_for(scheme, period)
    if run is None:
        raise Http404
    parents = _visible_parents(person, run)
    parent = next((p for p in parents if str(p.pk) == request.GET.get("parent")), None)
    if parent is None:
        raise Forbidden(_("You may not see this ranking."))
    body = exports.ranking_workbook(run, parent=parent, mask_names=not can(person, "person.view", parent))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="liangfen-{scheme}-{period}.xlsx"'
    return response


@login_required
@require_POST
def run_action(request, pk: int, action: str):
    person = person_of(request)
    run = get_object_or_404(Run, pk=pk)
    try:
        if action == "compute":
            computation = services.computation_request(actor=person, scheme=run.scheme, period=run.period)
            return redirect("indices:computation", pk=computation.pk)
        elif action == "publish":
            services.run_publish(actor=person, run=run)
            messages.success(request, _("Published: this period is now frozen."))
        else:
            raise Http404
    except DomainError as refusal:
        messages.error(request, message_of(refusal))
    return redirect(reverse("indices:ranking", args=[run.scheme, run.period]) + f"?{request.GET.urlencode()}")


@login_required
def computation(request, pk: int):
    """A requested computation and its progress; the page refreshes its status part until the job is done."""
    person = person_of(request)
    computation = get_object_or_404(Computation.objects.select_related("run", "requested_by"), pk=pk)
    if computation.requested_by_id != person.pk and not services.may_everywhere(person, "indices.compute"):
        raise Http404
    template = "indices/_computation.html" if request.headers.get("HX-Request") else "indices/computation.html"
    return render(request, template, {"computation": computation, "progress": selectors.progress(computation)})


def _may_view_standing(person, standing: Standing) -> bool:
    if standing.person_id == person.pk:
        return True
    node = standing.node or Node.objects.filter(pk=standing.parent_id).first()
    return node is not None and can(person, "indices.view", node)


@login_required
def explain(request, pk: int):
    person = person_of(request)
    standing = get_object_or_404(Standing.objects.select_related("run__rule_set", "node", "person"), pk=pk)
    if not _may_view_standing(person, standing):
        raise Http404
    context = selectors.explain(standing)
    context["tiers"] = _tiers(standing.run)
    return render(request, "indices/explain.html", context)


def _history_context(node: Node, *, published_only: bool) -> list[dict]:
    blocks = []
    for block in (selectors.public_view(node) if published_only else _all_org_history(node)):
        rows = block["history"]
        block["charts"] = [
            {"name": score.index.name,
             "chart": selectors.chart_svg([(row["period"], float(s.value)) for row in rows for s in row["scores"]
                                           if s.index.code == score.index.code])}
            for score in rows[-1]["scores"]
        ]
        block["tiers"] = {tier["code"]: tier.get("label", tier["code"]) for tier in block["rule_set"].tiers}
        blocks.append(block)
    return blocks


def _all_org_history(node: Node) -> list[dict]:
    result = []
    for rule_set in selectors.schemes():
        if rule_set.entity_kind == EntityKind.NODE:
            rows = selectors.history(scheme=rule_set.code, node=node)
            if rows:
                result.append({"rule_set": rule_set, "history": rows, "current": rows[-1]})
    return result


@login_required
def organisation(request, pk: int):
    person = person_of(request)
    node = get_object_or_404(Node, pk=pk)
    if not can(person, "indices.view", node):
        raise Http404
    code = selectors.org_code_of(node)
    return render(request, "indices/organisation.html", {
        "node": node, "blocks": _history_context(node, published_only=False), "code": code,
        "public_url": request.build_absolute_uri(reverse("indices_public", args=[code.slug])) if code else "",
        "may_issue": code is None and can(person, "indices.record", node),
    })


@login_required
@require_POST
def organisation_code(request, pk: int):
    """Issue the organisation's QR code now (it is also issued when the organisation is first scored)."""
    person = person_of(request)
    node = get_object_or_404(Node, pk=pk)
    if not can(person, "indices.view", node):
        raise Http404
    services.org_code_issue(actor=person, node=node)
    return redirect("indices:organisation", pk=node.pk)


@login_required
def mine(request):
    person = person_of(request)
    blocks = []
    for rule_set in selectors.schemes():
        if rule_set.entity_kind != EntityKind.PERSON:
            continue
        rows = selectors.history(scheme=rule_set.code, person=person)
        if rows:
            current = rows[-1]["standing"]
            blocks.append({"rule_set": rule_set, "history": rows, "explained": selectors.explain(current),
                           "tiers": {t["code"]: t.get("label", t["code"]) for t in rule_set.tiers},
                           "chart": selectors.chart_svg([(r["period"], float(r["standing"].total)) for r in rows])})
    return render(request, "indices/mine.html", {"blocks": blocks})


def _record_nodes(person):
    allowed = [node.pk for node in in_scope(person, Node.objects.filter(kind__in=RECORD_KINDS))
               if can(person, "indices.record", node)]
    return Node.objects.filter(pk__in=allowed).order_by("path")


FORMS = {"activity": ActivityForm, "news": NewsForm, "assessment": AssessmentForm}


@login_required
def record(request, what: str = "activity"):
    person = person_of(request)
    if what not in FORMS:
        raise Http404
    nodes = _record_nodes(person)
    if not nodes.exists():
        raise Forbidden(_("You record no index events."))
    form = FORMS[what](request.POST or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if what == "activity":
                services.activity_record(actor=person, **data)
            elif what == "news":
                services.news_record(actor=person, **data)
            else:
                services.assessment_record(actor=person, **data)
        except DomainError as refusal:
            refuse_in_form(form, refusal)
        else:
            messages.success(request, _("Recorded."))
            return redirect("indices:record", what=what)
    return render(request, "indices/record.html", {"form": form, "what": what, "kinds": list(FORMS)})


def public_organisation(request, slug: str):
    """Opened by the organisation's QR code, without a login: colour, index scores and history only."""
    code = selectors.org_code_by_slug(slug)
    if code is None:
        raise Http404
    url = request.build_absolute_uri(reverse("indices_public", args=[slug]))
    blocks = _history_context(code.node, published_only=True)
    current = next((b["current"]["standing"] for b in blocks if b["current"]["standing"].colour), None)
    colour = current.colour if current else ""
    qr = segno.make(url, error="m")
    return render(request, "indices/public.html", {
        "node": code.node, "blocks": blocks, "current": current, "notices": publicity.notices(),
        "qr_svg": qr.svg_inline(scale=5, border=2, dark=QR_DARK.get(colour, "#111"), light="#fff", omitsize=True),
    })


QR_DARK = {"red": "#c62828", "green": "#2e7d32", "tea": "#8d6e3f", "grey": "#616161"}
