"""``gridgov demo`` and ``gridgov stats``, run as commands on an empty database (the whole demo, every app's
seeder, runs once here)."""

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from gridgov import demo
from gridgov.audit.models import AuditRecord
from gridgov.orgs.models import Node, Person, RoleAssignment

# pytest-django runs database tests first: marking every test keeps each module's one seeding.
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    stdout = io.StringIO()
    call_command(*args, stdout=stdout)
    return stdout.getvalue()


@pytest.fixture(scope="module")
def demo_runs(django_db_setup, django_db_blocker):
    """``gridgov demo --no-serve`` twice on an empty database, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Node.objects.exists()
        empty_stats = json.loads(run("stats", "--json"))
        first = run("demo", "--no-serve", "--verbosity", "2")
        counts = (Node.objects.count(), Person.objects.count(), RoleAssignment.objects.count())
        second = run("demo", "--no-serve")
        counts_after = (Node.objects.count(), Person.objects.count(), RoleAssignment.objects.count())
        yield SimpleNamespace(
            empty_stats=empty_stats, first=first, second=second, counts=counts, counts_after=counts_after
        )
        transaction.set_rollback(True)


def test_demo_command_seeds_an_empty_database_and_prints_logins(demo_runs):
    assert "已生成演示街道" in demo_runs.first
    assert demo_runs.counts[0] > 500
    for username in ["admin", "street", "dongmen", "auditor", "leader", "worker", "resident", "merchant", "supervisor"]:
        assert f" {username} " in demo_runs.first
    assert demo.DEMO_PASSWORD in demo_runs.first
    assert "网格员 / Grid worker" in demo_runs.first


def test_demo_command_lists_each_seeders_time_when_verbose(demo_runs):
    assert "gridgov.orgs.demo.seed" in demo_runs.first and " 秒  " in demo_runs.first


def test_demo_command_writes_one_audit_record_with_the_counts(demo_runs):
    record = AuditRecord.objects.get(action="demo.seed")
    assert record.node_path == Node.objects.get(code="FY").path
    assert record.after["counts"]["micro_grids"] == 479
    assert {row["username"] for row in record.after["logins"]} >= {"admin", "worker", "resident"}


def test_demo_command_run_twice_does_not_seed_again(demo_runs):
    assert "未生成演示数据" in demo_runs.second
    assert demo_runs.counts_after == demo_runs.counts
    assert AuditRecord.objects.filter(action="demo.seed").count() == 1
    assert " worker " in demo_runs.second


def test_stats_json_reports_the_demo_figures(demo_runs):
    stats = json.loads(run("stats", "--json"))
    assert stats["organisations"]["community"] == 4
    assert stats["organisations"]["village"] == 4
    assert stats["organisations"]["cooperative"] == 4
    assert stats["micro_grids"] == 479
    assert stats["grids"] == 47
    assert stats["people_per_role"]["grid_worker"] == 526
    assert stats["people"] == demo_runs.counts[1]


def test_stats_without_json_prints_one_figure_per_line(demo_runs):
    lines = run("stats").splitlines()
    assert any(line.split() == ["微网格", "479"] for line in lines)
    assert any(line.split() == ["网格员", "526"] for line in lines)
    assert any(line.split() == ["人员", f"{demo_runs.counts[1]:,}"] for line in lines)


def test_stats_has_words_for_every_figure(demo_runs):
    from gridgov.management.commands.stats import labels

    words = labels()
    counts = demo.collect_stats()
    assert set(counts) == set(words)
    for key, value in counts.items():
        if isinstance(value, dict):
            parts = words[key][1]  # a choice class, or a dict of words (a figure with nested figures: bookings)
            assert set(value) <= set(parts if isinstance(parts, dict) else parts.values), key


def test_stats_on_an_empty_database_reports_zeros(demo_runs):
    assert demo_runs.empty_stats["micro_grids"] == 0
    assert demo_runs.empty_stats["people"] == 0
    assert set(demo_runs.empty_stats["organisations"].values()) == {0}


def test_every_menu_page_of_every_demo_login_opens_on_the_seeded_street(demo_runs, client):
    """What a visitor of the demo clicks first: each role's menu, on a month of real data, on both databases."""
    from django.test import RequestFactory

    from gridgov.navigation import shell_for

    opened = 0
    for username in ["admin", "street", "dongmen", "auditor", "leader", "worker", "resident", "merchant",
                     "supervisor"]:
        person = Person.objects.select_related("user").get(user__username=username)
        client.force_login(person.user)
        request = RequestFactory().get("/")
        request.session = {}
        shell = shell_for(request, person)
        for link in [link for _group, links in shell.groups for link in links] + shell.tabs:
            response = client.get(link.url, follow=True)  # some entries redirect to the area one may see
            assert response.status_code == 200, (username, link.url, response.status_code)
            opened += 1
    assert opened > 40
