"""Each role lands on its own workbench: live counts of what waits, each a link to the work."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.services import role_grant
from gridgov.tasks import services as task_services
from gridgov.tasks.models import WorkType


@pytest.fixture
def submitted_claim(street):
    task = task_services.task_publish(actor=street.community_cadre, node=street.community, title="消防巡查",
                                      work_type=WorkType.objects.first(), points=10, places=3, requires_photo=False,
                                      deadline=timezone.now() + timedelta(days=2))
    claim = task_services.task_claim(actor=street.worker_a, task=task)
    task_services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
    return claim


def _home(client, person):
    client.force_login(person.user)
    return client.get(reverse("home"))


def _figures(response) -> dict:
    return {figure.label: figure.value for figure in response.context["figures"]}


def test_a_worker_sees_tasks_to_claim_points_and_the_points_code(client, street, submitted_claim):
    response = _home(client, street.worker_b)
    page = response.content.decode()
    assert response.status_code == 200 and "workbench/worker.html" in [t.name for t in response.templates]
    assert _figures(response)["可认领任务"] == 1
    assert reverse("rewards:my_code") in page and "消防巡查" in page and 'class="tab-bar"' in page


def test_a_community_cadre_sees_what_waits_for_evaluation(client, street, submitted_claim):
    response = _home(client, street.community_cadre)
    assert _figures(response)["待考评"] == 1
    assert reverse("tasks:claim_detail", args=[submitted_claim.pk]) in response.content.decode()
    assert 'class="side-nav"' in response.content.decode()


def test_the_auditor_sees_nothing_until_a_claim_is_evaluated(client, street, submitted_claim):
    assert _figures(_home(client, street.auditor))["待审核"] == 0
    task_services.claim_evaluate(actor=street.community_cadre, claim=submitted_claim, approve=True)
    assert _figures(client.get(reverse("home")))["待审核"] == 1


def test_a_resident_sees_reporting_first(client, street):
    page = _home(client, street.resident).content.decode()
    assert page.index(reverse("reports:new")) < page.index("我的积分")


def test_a_merchant_sees_the_till_first(client, street):
    role_grant(actor=SYSTEM, person=street.resident, node=street.community, role=Role.MERCHANT_STAFF)
    client.force_login(street.resident.user)
    client.post(reverse("switch_role"), {"role": Role.MERCHANT_STAFF})
    page = client.get(reverse("home")).content.decode()
    assert reverse("rewards:till") in page and "今天" in page


@pytest.mark.parametrize("who", ["admin", "street_cadre", "community_cadre", "auditor", "worker_a", "resident",
                                 "supervisor"])
def test_every_link_of_every_workbench_opens(client, street, submitted_claim, who):
    import re

    page = _home(client, getattr(street, who)).content.decode()
    main = page[page.index('<main'):page.index('</main>')]
    for url in set(re.findall(r'href="(/[^"#]*)"', main)):
        assert client.get(url, follow=True).status_code == 200, (who, url)


def test_a_workbench_costs_the_same_queries_however_much_waits(client, street):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    client.force_login(street.community_cadre.user)
    before = queries()
    for index in range(5):
        task = task_services.task_publish(actor=street.community_cadre, node=street.community, title=f"巡查{index}",
                                          work_type=WorkType.objects.first(), points=10, places=3,
                                          requires_photo=False, deadline=timezone.now() + timedelta(days=2))
        claim = task_services.task_claim(actor=street.worker_a, task=task)
        task_services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
    assert queries() <= before + 1  # the evaluation preview's photos come in one prefetch


def test_a_figure_counts_only_so_far_and_then_says_more(client, street, submitted_claim, monkeypatch):
    from gridgov.workbench import selectors

    monkeypatch.setattr(selectors, "COUNT_AT_MOST", 2)
    for index in range(3):
        task_services.task_publish(actor=street.community_cadre, node=street.community, title=f"巡查{index}",
                                   work_type=WorkType.objects.first(), points=10, places=3, requires_photo=False,
                                   deadline=timezone.now() + timedelta(days=2))
    response = _home(client, street.worker_b)
    tasks = next(figure for figure in response.context["figures"] if figure.url == reverse("tasks:square"))
    assert (tasks.value, tasks.text) == (3, "2+")  # four open, counted to one past the bound
    assert '<span class="tile-value">2+</span>' in response.content.decode()
