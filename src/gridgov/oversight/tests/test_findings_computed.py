"""The supervisor's findings are computed ahead of the reader (every overseen area, from the timer), stored with
their time, read by the dashboard and the findings API in the reader's language, and computed on the spot when
none is fresh."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.ledger.services import budget_set, grant_points, reverse_posting
from gridgov.orgs.models import NodeKind, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.oversight import findings
from gridgov.oversight.models import FindingRun
from gridgov.testing.factories import node, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def reversal(street):
    """A grant taken back after it was made: one finding of ``reversals_after_audit``."""
    budget_set(actor=SYSTEM, node=street.community, period=timezone.localtime().strftime("%Y-%m"), amount=1000)
    original = grant_points(actor=street.community_cadre, person=street.resident, amount=10, reason="测试",
                            idempotency_key="f:1", budget_node=street.community)
    return reverse_posting(actor=street.community_cadre, posting=original, reason="撤销", idempotency_key="f:1:rev")


def test_the_timer_computes_every_overseen_area_and_stores_its_findings(street, reversal):
    other = node(street.district, NodeKind.STREET, "别的街道", "S09")
    person("别的监察", node=other, role=Role.SUPERVISOR, username="other_supervisor")
    call_command("oversight", "findings")
    runs = {run.node_id: run for run in FindingRun.objects.all()}
    assert set(runs) == {node.pk for node in findings.nodes_held_in(findings.OVERSEEING)}
    assert {street.street.pk, other.pk} <= set(runs)
    found = {rule.code: found for rule, found in findings.by_rule(runs[street.street.pk])}
    assert [f.postings for f in found["reversals_after_audit"]] == [sorted([reversal.reverses_id, reversal.pk])]
    assert {rule.code: found for rule, found in findings.by_rule(runs[other.pk])}["reversals_after_audit"] == []


def test_the_dashboard_reads_the_stored_findings_and_says_when_they_were_computed(street, reversal, client):
    run = findings.compute(street.street, now=timezone.now() - timedelta(minutes=3))
    client.force_login(street.supervisor.user)
    page = client.get("/oversight/")
    body = page.content.decode()
    assert page.context["computed_at"] == run.computed_at
    assert f"计算于 {timezone.localtime(run.computed_at):%Y-%m-%d %H:%M}" in body
    assert "冲正了 1 笔已审核的发放" in body and body.count('class="finding"') == 1
    assert FindingRun.objects.get().computed_at == run.computed_at  # read, not computed again


def test_findings_older_than_a_quarter_of_an_hour_are_computed_again_on_reading(street, reversal):
    stale = timezone.now() - findings.FRESH_FOR - timedelta(seconds=1)
    FindingRun.objects.create(node=street.street, computed_at=stale, since=stale - timedelta(days=31), findings={})
    run = findings.current(street.street)
    assert run.computed_at > stale and FindingRun.objects.get().computed_at == run.computed_at
    assert len(dict((rule.code, found) for rule, found in findings.by_rule(run))["reversals_after_audit"]) == 1


def test_a_stored_finding_is_worded_in_the_readers_language(street, reversal, client):
    findings.compute(street.street)
    client.force_login(street.supervisor.user)
    chinese = client.get("/oversight/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/oversight/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "冲正了 1 笔已审核的发放" in chinese and "reversed 1 audited grants" not in chinese
    assert "reversed 1 audited grants" in english and "冲正了" not in english


def test_the_findings_api_reads_the_stored_ones_for_the_default_period_and_runs_the_rules_for_another(
        street, reversal, client):
    from gridgov.orgs.services import api_token_create

    _token, secret = api_token_create(actor=street.supervisor, label="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}
    FindingRun.objects.create(node=street.street, computed_at=timezone.now(), since=timezone.now(), findings={})
    assert client.get("/api/v1/oversight/S01/findings", **headers).json()["items"] == []  # the stored run: none
    items = client.get("/api/v1/oversight/S01/findings", {"days": 7}, **headers).json()["items"]
    assert [item["rule"] for item in items] == ["reversals_after_audit"]
    assert items[0]["title"].endswith("reversed 1 audited grants")
    assert FindingRun.objects.get().findings == {}  # another period is not stored
