"""The pages: workers claim and submit from the phone, cadres publish and evaluate; double taps do nothing twice."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.tasks import services
from gridgov.tasks.models import Claim, ClaimState, EvidencePhoto, Task, WorkType
from gridgov.tasks.tests.conftest import jpeg


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def login(client, username):
    client.force_login(__import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model().objects.get(username=username))
    return client


def test_cadre_publishes_through_the_form(client, street):
    login(client, "community")
    page = client.get(reverse("tasks:publish"))
    assert page.status_code == 200 and "消防安全" in page.content.decode()
    deadline = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("tasks:publish"), {
        "form_token": uuid.uuid4(), "nodes": street.community.pk, "title": "周末消防巡查",
        "work_type": WorkType.objects.get(name="消防安全").pk, "points": 20, "places": 2, "deadline": deadline,
        "requires_text": "on", "recurrence": "",
    })
    assert response.status_code == 302
    assert Task.objects.get().title == "周末消防巡查"


def test_worker_page_is_refused_the_publish_form(client, street):
    login(client, "worker_a")
    assert client.get(reverse("tasks:publish")).status_code == 404


def test_double_tap_on_claim_claims_once(client, street, publish):
    task = publish()
    login(client, "worker_a")
    square = client.get(reverse("tasks:square"))
    assert task.title in square.content.decode()
    token = uuid.uuid4()
    for _ in range(2):
        client.post(reverse("tasks:claim", args=[task.pk]), {"form_token": token})
    assert Claim.objects.filter(task=task).count() == 1
    assert task.title in client.get(reverse("tasks:mine")).content.decode()


def test_worker_submits_evidence_with_camera_photos(client, street, publish):
    task = publish(requires_photo=True)
    claim = services.task_claim(actor=street.worker_a, task=task)
    login(client, "worker_a")
    page = client.get(reverse("tasks:claim_detail", args=[claim.pk])).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "multiple" in page
    response = client.post(reverse("tasks:claim_detail", args=[claim.pk]), {
        "form_token": uuid.uuid4(), "text": "检查了灭火器", "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
    })
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED and claim.photos.count() == 2


def test_bad_photo_gives_a_message_not_an_error(client, street, publish):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = services.task_claim(actor=street.worker_a, task=publish(requires_photo=True))
    login(client, "worker_a")
    response = client.post(reverse("tasks:claim_detail", args=[claim.pk]), {
        "form_token": uuid.uuid4(), "text": "x", "photos": [SimpleUploadedFile("x.jpg", b"not an image")],
    }, follow=True)
    assert response.status_code == 200
    assert "x.jpg" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


def test_photos_are_served_only_to_people_who_may_see_the_claim(client, street, publish):
    claim = services.task_claim(actor=street.worker_a, task=publish(requires_photo=True))
    services.claim_submit(actor=street.worker_a, claim=claim, text="x", photos=[jpeg()])
    photo = EvidencePhoto.objects.get()
    url = reverse("tasks:photo", args=[photo.pk])
    assert login(client, "community").get(url).status_code == 200
    assert login(client, "worker_b").get(url).status_code == 404
    assert login(client, "village").get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_cadre_rejects_from_the_evaluation_queue(client, street, publish):
    claim = services.task_claim(actor=street.worker_a, task=publish())
    services.claim_submit(actor=street.worker_a, claim=claim, text="做完了")
    login(client, "community")
    assert "做完了" in client.get(reverse("tasks:evaluation_queue")).content.decode()
    client.post(reverse("tasks:evaluate", args=[claim.pk]),
                {"form_token": uuid.uuid4(), "decision": "reject", "reason": "缺少照片"})
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED and claim.reason == "缺少照片"


def test_wrong_role_gets_a_message_not_a_change(client, street, publish):
    claim = services.task_claim(actor=street.worker_a, task=publish())
    services.claim_submit(actor=street.worker_a, claim=claim, text="做完了")
    login(client, "auditor")
    response = client.post(reverse("tasks:evaluate", args=[claim.pk]),
                           {"form_token": uuid.uuid4(), "decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.SUBMITTED


def test_notices_page_lists_and_posts(client, street):
    login(client, "community")
    client.post(reverse("tasks:notices"), {"form_token": uuid.uuid4(), "node": street.community.pk,
                                           "title": "垃圾分类宣传周", "body": "本周六上午九点"})
    login(client, "resident")
    page = client.get(reverse("tasks:notices")).content.decode()
    assert "垃圾分类宣传周" in page and "Post a notice" not in page and "<form method=\"post\" class=\"stacked\"" not in page


@pytest.mark.parametrize("name", ["square", "mine", "published", "evaluation_queue", "audit_queue", "overdue", "notices"])
def test_every_page_opens_for_every_role(client, street, publish, name):
    publish()
    for username in ("worker_a", "community", "auditor", "street", "resident", "supervisor"):
        assert login(client, username).get(reverse(f"tasks:{name}")).status_code == 200
