"""One real browser run: a street cadre logs in through the form, opens the tree and finds 东门社区 by pinyin.

Drives Debian's chromium through Playwright (never a downloaded browser). Screenshots of each step at phone
and desktop widths go to ``/tmp/gg-pages/`` (or ``GRIDGOV_SCREENSHOT_DIR``) for a human to look at.
"""



from gridgov.testing.browser import BROWSER_MARKS, DESKTOP, PHONE, shoot

pytestmark = BROWSER_MARKS



def test_street_cadre_logs_in_searches_by_pinyin_and_opens_the_community(live_server, street, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        shoot(page, "phone-1-login")
        page.fill("input[name=username]", "street")
        page.fill("input[name=password]", "pass-for-tests-1")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("h1").inner_text().endswith("王街道")
        shoot(page, "phone-2-home")

        page.goto(f"{live_server.url}/tree/")
        page.wait_for_url(f"{live_server.url}/tree/S01/")
        assert page.locator("h1").inner_text() == "浮云街道"
        page.locator("#tree-search").press_sequentially("dmsq", delay=40)
        result = page.locator("#search-results a", has_text="东门社区")
        result.wait_for()
        shoot(page, "phone-3-search")

        result.click()
        page.wait_for_url(f"{live_server.url}/tree/C01/")
        rows = page.locator(".tree-row .row-main a")
        assert rows.all_inner_texts() == ["东门第一网格", "东门第二网格"]

        # Expanding a grid loads its micro-grids through htmx, without leaving the page.
        page.locator("summary.tree-row", has_text="东门第一网格").click(position={"x": 8, "y": 20})  # the chevron
        page.locator(".tree-children a", has_text="东门一网格微网格1").wait_for()
        assert page.url == f"{live_server.url}/tree/C01/"
        shoot(page, "phone-4-community")

        page.set_viewport_size(DESKTOP)
        shoot(page, "desktop-4-community")
        page.goto(f"{live_server.url}/")
        shoot(page, "desktop-2-home")
    finally:
        context.close()
