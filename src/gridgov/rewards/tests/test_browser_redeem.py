"""The redeem flow in a real browser: the member's code on one phone, the merchant's till on another.

Drives Debian's chromium through Playwright (never a downloaded browser); screenshots at 375x812 go to
``/tmp/gg-rewards/`` for a human to look at.
"""



from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot

pytestmark = BROWSER_MARKS



def test_member_shows_code_and_merchant_redeems_it(live_server, shop, browser):
    member_context, member = logged_in(browser, live_server.url, "resident")
    clerk_context, clerk = logged_in(browser, live_server.url, "clerk")
    try:
        member.goto(f"{live_server.url}/rewards/my-code/")
        assert member.locator("#code-card svg").count() == 1
        assert member.get_by_test_id("balance").inner_text() == "100"
        code = member.get_by_test_id("fallback-code").inner_text().strip()
        assert len(code) == 9 and code[4] == "-"
        shoot(member, "1-member-code")

        clerk.goto(f"{live_server.url}/rewards/till/")
        clerk.fill("input[name=token]", code.lower())
        shoot(clerk, "2-till-typed")
        clerk.get_by_test_id("check").click()
        assert clerk.get_by_test_id("member").inner_text() == "周**"
        assert clerk.get_by_test_id("member-balance").inner_text() == "100"
        clerk.locator("label", has_text="九折优惠").click()
        shoot(clerk, "3-till-member")
        clerk.get_by_test_id("confirm").click()
        clerk.get_by_test_id("receipt").wait_for()
        assert clerk.get_by_test_id("receipt-item").inner_text() == "九折优惠"
        assert clerk.get_by_test_id("receipt-points").inner_text() == "50"
        shoot(clerk, "4-receipt")

        member.goto(f"{live_server.url}/rewards/my-code/")
        assert member.get_by_test_id("balance").inner_text() == "50"
        assert member.get_by_test_id("fallback-code").inner_text().strip() != code  # a fresh code
        shoot(member, "5-member-after")

        # The same code again is refused with its reason.
        clerk.goto(f"{live_server.url}/rewards/till/")
        clerk.fill("input[name=token]", code)
        clerk.get_by_test_id("check").click()
        assert clerk.get_by_test_id("error").count() == 1
        shoot(clerk, "6-till-replayed")
    finally:
        member_context.close()
        clerk_context.close()
