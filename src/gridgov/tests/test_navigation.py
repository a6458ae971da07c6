"""The page shell: a side navigation for cadres, a bottom tab bar for phone roles, each showing only what the role
it acts in may open, with counts of what waits; a person with several roles switches between them."""

from django.test import RequestFactory
from django.urls import reverse

from gridgov.navigation import MENU, TABS, shell_for
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.orgs.services import role_grant


def _shell(person, path="/", session=None):
    request = RequestFactory().get(path)
    request.session = session or {}
    return shell_for(request, person)


def _urls(shell):
    return [link.url for _label, links in shell.groups for link in links]


def test_every_menu_entry_points_at_a_real_page():
    for entry in MENU:
        assert reverse(entry.url_name)


def test_phone_roles_get_at_most_five_tabs_that_are_real_pages():
    for role, names in TABS.items():
        assert len(names) <= 5, role
        for name in names:
            assert reverse(name)


def test_resident_gets_the_phone_shell_with_reporting_and_points_but_no_cadre_work(street):
    shell = _shell(street.resident)
    assert shell.phone and shell.role == Role.RESIDENT
    tabs = [link.url for link in shell.tabs]
    assert reverse("reports:new") in tabs and reverse("rewards:my_code") in tabs and reverse("more") in tabs
    seen = _urls(shell)
    assert reverse("ledger:award") not in seen and reverse("tasks:published") not in seen


def test_community_cadre_gets_grouped_desktop_navigation(street):
    shell = _shell(street.community_cadre)
    assert not shell.phone and not shell.tabs
    seen = _urls(shell)
    for name in ["tasks:published", "tasks:evaluation_queue", "ledger:award", "excel_import", "tree"]:
        assert reverse(name) in seen
    assert reverse("tasks:audit_queue") not in seen
    assert [label for label, _links in shell.groups][:3] == ["工作台", "任务", "报事"]


def test_the_longest_matching_entry_is_marked_current(street):
    shell = _shell(street.worker_a, reverse("ledger:ranking"))
    current = [link.url for _label, links in shell.groups for link in links if link.current]
    assert current == [reverse("ledger:ranking")]


def test_badges_count_what_waits(street):
    from datetime import timedelta

    from django.utils import timezone

    from gridgov.tasks import services as task_services
    from gridgov.tasks.models import WorkType

    task = task_services.task_publish(actor=street.community_cadre, node=street.community, title="消防巡查",
                                      work_type=WorkType.objects.first(), points=10, places=2, requires_photo=False,
                                      deadline=timezone.now() + timedelta(days=5))
    claim = task_services.task_claim(actor=street.worker_a, task=task)
    task_services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
    links = {link.url: link for _label, links in _shell(street.community_cadre).groups for link in links}
    assert links[reverse("tasks:evaluation_queue")].badge == 1


def test_a_person_with_two_roles_acts_in_one_and_switches(street, client):
    role_grant(actor=SYSTEM, person=street.community_cadre, node=street.micro_a1, role=Role.RESIDENT)
    assert _shell(street.community_cadre).role == Role.COMMUNITY_CADRE  # the widest role first
    client.force_login(street.community_cadre.user)
    page = client.get("/").content.decode()
    assert 'class="role-switch"' in page and reverse("tasks:evaluation_queue") in page
    assert client.post(reverse("switch_role"), {"role": Role.RESIDENT}).status_code == 302
    page = client.get("/").content.decode()
    assert 'class="tab-bar"' in page and reverse("tasks:evaluation_queue") not in page
    client.post(reverse("switch_role"), {"role": Role.PLATFORM_ADMIN})  # not held: ignored
    assert 'class="tab-bar"' in client.get("/").content.decode()


def test_page_shell_shows_the_auditors_menu(street, client):
    client.force_login(street.auditor.user)
    page = client.get("/").content.decode()
    assert f'href="{reverse("tasks:audit_queue")}"' in page and 'class="skip-link"' in page


def test_a_badge_counts_no_further_than_it_shows(street):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov import navigation
    from gridgov.orgs.models import Node

    with CaptureQueriesContext(connection) as captured:
        counted = navigation._badge(lambda person: Node.objects.order_by("path"), street.community_cadre)
    assert counted == Node.objects.count()
    assert len(captured.captured_queries) == 1 and "LIMIT 100" in captured.captured_queries[0]["sql"]
    assert navigation._badge(lambda person: 5000, street.community_cadre) == navigation.BADGE_AT_MOST + 1
    assert navigation.Link("/", "x", "list", badge=navigation.BADGE_AT_MOST + 1).badge_text == "99+"
    assert navigation.Link("/", "x", "list", badge=navigation.BADGE_AT_MOST).badge_text == "99"
