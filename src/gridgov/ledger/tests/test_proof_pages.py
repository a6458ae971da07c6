"""My points shows the latest checkpoint and offers the proof; the verifier page needs no login."""

import json

from django.contrib.auth import get_user_model

from gridgov.ledger import checkpoints, notes, services, verifier
from gridgov.orgs.permissions import SYSTEM


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def _signed(street):
    services.grant_points(actor=SYSTEM, person=street.resident, amount=10, reason="垃圾分类督导",
                          idempotency_key="page-1", budget_node=street.community)
    checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=checkpoint,
                                  private_key=notes.Ed25519PrivateKey.generate())
    return checkpoint


def test_my_points_shows_the_cosigned_checkpoint_and_the_public_key(client, street, budget):
    checkpoint = _signed(street)
    _login(client, "resident")
    page = client.get("/points/").content.decode()
    assert str(checkpoint.size) in page and checkpoints.log_verifier_key() in page
    assert "/points/proof/" in page


def test_the_downloaded_proof_checks_and_a_bad_period_is_refused_on_the_page(client, street, budget):
    _signed(street)
    _login(client, "resident")
    response = client.get("/points/proof/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert verifier.check(json.loads(response.content), log_key=checkpoints.log_verifier_key()).ok
    assert client.get("/points/proof/", {"period": "2026-13"}).status_code == 200  # the filter ignores it
    assert client.get("/points/proof/qr/").status_code == 200


def test_before_any_checkpoint_the_proof_pages_say_so(client, street, budget):
    _login(client, "resident")
    response = client.get("/points/proof/")
    assert response.status_code == 404 and "检查点" in response.content.decode()


def test_the_verifier_page_opens_without_login_and_loads_only_local_script(client, street):
    page = client.get("/verify/").content.decode()
    assert "ledger/verify.js" in page and "http" not in page.split("verify.js")[0].rsplit("<script", 1)[-1]


def test_the_public_organisation_page_shows_the_latest_cosigned_checkpoint(client, street, budget):
    from gridgov.indices import publicity
    from gridgov.indices import services as index_services

    code = index_services.org_code_issue(actor=SYSTEM, node=street.village)
    assert "检查点" not in client.get(f"/o/{code.slug}/").content.decode()  # nothing co-signed yet
    checkpoint = _signed(street)
    page = client.get(f"/o/{code.slug}/").content.decode()
    assert checkpoint.root_hash in page and checkpoints.log_verifier_key() in page and "/verify/" in page
    (notice,) = publicity.notices()  # the same lines close the 亮分公示 list (indices.exports)
    assert ("根哈希：", checkpoint.root_hash) in notice.lines
