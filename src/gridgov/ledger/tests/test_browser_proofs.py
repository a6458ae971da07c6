"""In a real browser: a resident downloads the proof of their points and checks it on the offline verifier
page; a proof with one hash changed fails there. Screenshots go to ``/tmp/gg-pages/``."""

import json

from gridgov.ledger import checkpoints, notes, services
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.browser import BROWSER_MARKS, PHONE, shoot

pytestmark = BROWSER_MARKS


def test_resident_downloads_a_proof_and_the_browser_checks_it_offline(live_server, street, browser, tmp_path):
    services.budget_set(actor=SYSTEM, node=street.community, period=services.journal.current_period(), amount=500)
    for i in range(3):
        services.grant_points(actor=SYSTEM, person=street.resident, amount=10, reason="垃圾分类督导",
                              idempotency_key=f"browser-{i}", budget_node=street.community)
    checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=checkpoint,
                                  private_key=notes.Ed25519PrivateKey.generate())
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "resident")
        page.fill("input[name=password]", "pass-for-tests-1")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/points/")
        page.locator("[data-testid=proofs]").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, "phone-points-proofs")
        with page.expect_download() as download:
            page.click("text=下载我的证明")
        saved = tmp_path / "proof.json"
        download.value.save_as(saved)

        page.goto(f"{live_server.url}/verify/")
        context.set_offline(True)  # the check makes no request
        page.set_input_files("#proof-file", str(saved))
        result = page.locator("[data-testid=proof-result]")
        result.filter(has_text="核验通过").wait_for()
        assert "+30" in result.inner_text()
        shoot(page, "phone-verifier-ok")

        bundle = json.loads(saved.read_text())
        first = bundle["postings"][0]["proof"][0]
        bundle["postings"][0]["proof"][0] = ("A" if first[0] != "A" else "B") + first[1:]
        tampered = tmp_path / "tampered.json"
        tampered.write_text(json.dumps(bundle))
        page.set_input_files("#proof-file", str(tampered))
        result.filter(has_text="包含证明不通过").wait_for()  # "an inclusion proof fails"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, "phone-verifier-failed")
    finally:
        context.close()
