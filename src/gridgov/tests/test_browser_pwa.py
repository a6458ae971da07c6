"""The installable app in a real browser: Chromium reads the manifest, the service worker installs, a page opened
once opens again offline, an upgrade replaces the cache, and a phone passed to someone else shows none of the
last person's pages. Screenshots go to ``/tmp/gg-pages/``."""

import re

from gridgov import pwa
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot
from gridgov.testing.offline import still_offline, upgrade, wait_until_controlled

pytestmark = BROWSER_MARKS

CACHES = "() => caches.keys()"
KEPT_PAGES = "() => caches.open('gridgov-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"


def policy_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_the_app_installs_and_a_page_opened_once_opens_offline(live_server, street, browser, monkeypatch):
    context, phone = logged_in(browser, live_server.url, "worker_a")
    problems = policy_problems(phone)
    try:
        devtools = context.new_cdp_session(phone)
        manifest = devtools.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        wait_until_controlled(phone)
        assert f"gridgov-static-{pwa.static_version()}" in phone.evaluate(CACHES)
        # Chromium would offer to install the app; a Playwright context counts as incognito, which it says alone.
        refusals = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [refusal["errorId"] for refusal in refusals] in ([], ["in-incognito"])
        devtools.detach()
        phone.goto(f"{live_server.url}/points/")
        assert "/points/" in phone.evaluate(KEPT_PAGES)

        context.set_offline(True)
        phone.goto(f"{live_server.url}/points/")  # the copy kept on the phone
        still_offline(phone)
        assert phone.locator("h1").inner_text() == "我的积分"
        assert "手机当前离线" in phone.locator(".outbox-offline").inner_text()
        shoot(phone, "pwa-1-kept-page-offline")
        phone.goto(f"{live_server.url}/tasks/mine/")  # never opened: the offline page, listing what is kept
        assert phone.locator("h1").inner_text() == "没有网络"
        phone.locator("[data-offline-pages] a", has_text="我的积分").wait_for()
        shoot(phone, "pwa-2-offline-page")

        context.set_offline(False)
        monkeypatch.setattr(pwa, "static_version", lambda: "upgraded")  # as after an upgrade of the static files
        upgrade(phone)
        assert sorted(phone.evaluate(CACHES)) == ["gridgov-pages", "gridgov-static-upgraded"]
        assert problems == []
    finally:
        context.close()


def test_a_phone_passed_to_someone_else_shows_none_of_the_last_persons_pages(live_server, street, browser):
    context, phone = logged_in(browser, live_server.url, "worker_a")
    try:
        wait_until_controlled(phone)
        phone.goto(f"{live_server.url}/points/")
        assert "/points/" in phone.evaluate(KEPT_PAGES)
        phone.goto(f"{live_server.url}/me/")  # on a phone, logging out is under 我的
        phone.once("dialog", lambda dialog: dialog.accept())
        phone.locator("form.logout button").click()
        phone.wait_for_url(f"{live_server.url}/login/")
        assert phone.evaluate(KEPT_PAGES) == []

        phone.fill("input[name=username]", "resident")
        phone.fill("input[name=password]", "pass-for-tests-1")
        phone.click("button[type=submit].primary")
        phone.wait_for_url(f"{live_server.url}/")
        context.set_offline(True)
        phone.goto(f"{live_server.url}/points/")  # the worker's points page was forgotten
        assert phone.locator("h1").inner_text() == "没有网络"
        phone.goto(f"{live_server.url}/")
        assert "周居民" in phone.locator("h1").inner_text()
    finally:
        context.close()


def no_data(route):
    """A phone "connected" to a network without data: the radio is up (navigator.onLine stays true), every
    request fails. ``context.route`` also reaches the service worker's own fetches in Chromium."""
    route.abort()


def test_a_kept_page_opened_on_a_network_without_data_says_offline_and_when_it_was_kept(live_server, street,
                                                                                       browser):
    context, phone = logged_in(browser, live_server.url, "worker_a")
    problems = policy_problems(phone)
    try:
        wait_until_controlled(phone)
        phone.goto(f"{live_server.url}/points/")
        assert "/points/" in phone.evaluate(KEPT_PAGES)
        assert phone.locator(".outbox-offline").count() == 0 and phone.locator(".outbox-kept").count() == 0

        context.route("**/*", no_data)
        phone.goto(f"{live_server.url}/points/")  # the copy kept on the phone, while the phone says "connected"
        assert phone.evaluate("() => navigator.onLine") is True
        assert phone.locator("h1").inner_text() == "我的积分"
        assert "手机当前离线" in phone.locator(".outbox-offline").inner_text()
        kept_line = phone.locator(".outbox-kept").inner_text()
        assert re.fullmatch(r"本页是 \d{1,2}月\d{1,2}日 周[一二三四五六日] \d\d:\d\d 保存在手机上的副本。\n重试", kept_line)
        assert phone.evaluate("() => document.querySelector('meta[name=gridgov-kept]').content > 0")
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
        shoot(phone, "pwa-3-kept-page-without-data")

        context.unroute("**/*", no_data)
        # The data back, nothing waiting to be sent: the kept page finds out by itself and stops saying offline
        # (still saying it is the kept copy, with its way to reload).
        phone.locator(".outbox-offline").wait_for(state="detached", timeout=30_000)
        assert phone.locator(".outbox-kept").count() == 1
        phone.goto(f"{live_server.url}/points/")  # a live page, which says nothing of it
        assert phone.locator("h1").inner_text() == "我的积分"
        assert phone.locator(".outbox-offline").count() == 0 and phone.locator(".outbox-kept").count() == 0
        assert phone.locator("meta[name=gridgov-kept]").count() == 0
        assert problems == []
    finally:
        context.close()
