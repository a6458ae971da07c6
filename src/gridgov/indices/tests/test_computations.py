"""Computing a period is a background job the page asks for and then watches; reading never writes."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gridgov.indices import schemes, selectors, services
from gridgov.indices.models import Computation, ComputationState, OrgCode
from gridgov.orgs.permissions import SYSTEM

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PERIOD = "2026-11"


@pytest.fixture
def installed(street):
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    return street


def test_asking_twice_for_a_period_being_computed_starts_one_job(installed, settings):
    settings.TASKS = DUMMY  # nothing runs the job: it stays queued
    first = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    again = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    assert first.pk == again.pk and first.state == ComputationState.QUEUED
    assert selectors.progress(first) == {"elapsed": 0, "expected": None, "percent": 0}
    done = services.computation_run(computation_id=first.pk)
    assert done.state == ComputationState.DONE and done.run.period == PERIOD
    assert selectors.open_computation(schemes.TAIZHOU, PERIOD) is None


def test_a_refusal_is_heard_at_once_not_from_the_job(installed, settings):
    settings.TASKS = DUMMY
    from gridgov.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.computation_request(actor=installed.community_cadre, scheme=schemes.TAIZHOU, period=PERIOD)
    assert not Computation.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each job, as in production
def test_the_worker_runs_a_queued_computation(installed, settings):
    settings.TASKS = DATABASE
    computation = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    assert computation.state == ComputationState.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    computation.refresh_from_db()
    assert computation.state == ComputationState.DONE and computation.run.entity_count > 0


def test_recompute_from_the_ranking_page_shows_the_computation_and_then_the_ranking(installed, client):
    services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period=PERIOD)
    client.force_login(installed.admin.user)
    run = selectors.run_for(schemes.TAIZHOU, PERIOD)
    response = client.post(reverse("indices:run_action", args=[run.pk, "compute"]), follow=True)
    computation = Computation.objects.get()
    assert response.redirect_chain[-1][0] == reverse("indices:computation", args=[computation.pk])
    page = response.content.decode()
    assert "打开排名" in page or "Open the ranking" in page
    fragment = client.get(reverse("indices:computation", args=[computation.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "hx-trigger" not in fragment.content.decode()  # done: stops polling


def test_someone_else_cannot_watch_a_computation_they_may_not_run(installed, client):
    computation = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    client.force_login(installed.worker_a.user)
    assert client.get(reverse("indices:computation", args=[computation.pk])).status_code == 404


def test_opening_an_organisation_page_issues_no_code(installed, client):
    client.force_login(installed.street_cadre.user)
    assert client.get(reverse("indices:organisation", args=[installed.community.pk])).status_code == 200
    assert not OrgCode.objects.exists()
    services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period=PERIOD)
    assert OrgCode.objects.filter(node=installed.community).exists()  # a scored organisation gets its code


def test_a_request_whose_job_was_lost_is_sent_to_a_worker_again_by_the_next_request(installed, settings):
    settings.TASKS = DUMMY  # nothing runs the jobs: what is enqueued stays queued
    from django_tasks import task_backends

    jobs = task_backends["default"].results  # what was enqueued
    jobs.clear()
    first = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    assert len(jobs) == 1
    assert services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD).pk == first.pk
    assert len(jobs) == 1  # waiting for seconds: the same job

    # A worker restarted in the middle of the job: it stays "running" for ever, and no job will run it again.
    Computation.objects.filter(pk=first.pk).update(state=ComputationState.RUNNING, started_at=timezone.now()
                                                   - services.RUNNING_AT_MOST - timedelta(minutes=1))
    again = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    assert again.pk == first.pk and again.state == ComputationState.QUEUED and again.started_at is None
    assert len(jobs) == 2
    assert services.computation_run(computation_id=first.pk).state == ComputationState.DONE
    assert services.computation_run(computation_id=first.pk).state == ComputationState.DONE  # the other job: taken

    # A request whose job never came (lost before it was queued): sent again after QUEUED_AT_MOST, not before.
    late = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period="2026-10")
    Computation.objects.filter(pk=late.pk).update(requested_at=timezone.now() - services.QUEUED_AT_MOST
                                                  + timedelta(minutes=1))
    services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period="2026-10")
    assert len(jobs) == 3
    Computation.objects.filter(pk=late.pk).update(requested_at=timezone.now() - services.QUEUED_AT_MOST
                                                  - timedelta(minutes=1))
    services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period="2026-10")
    assert len(jobs) == 4
    # The five-minute sweep does the same without a request (``gridgov jobs resume``).
    call_command("jobs", "resume")
    assert len(jobs) == 5
    assert services.computation_run(computation_id=late.pk).state == ComputationState.DONE
    call_command("jobs", "resume")
    assert len(jobs) == 5


def test_a_job_run_twice_computes_once(installed, settings):
    settings.TASKS = DUMMY
    computation = services.computation_request(actor=installed.admin, scheme=schemes.TAIZHOU, period=PERIOD)
    Computation.objects.filter(pk=computation.pk).update(state=ComputationState.RUNNING, started_at=timezone.now())
    untouched = services.computation_run(computation_id=computation.pk)  # the first job is still at it
    assert untouched.state == ComputationState.RUNNING and untouched.run is None
    assert not selectors.run_for(schemes.TAIZHOU, PERIOD)
