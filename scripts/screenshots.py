"""Screenshots of every demo role's home page (its workbench), as a user sees it: headless Chromium, zh-CN, a phone
for phone roles (390 × 844) and a desktop for cadres (1440 × 900), the whole page.

Usage, with the demo served on BASE:  .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots/after
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
ROLES = [("worker", PHONE), ("resident", PHONE), ("merchant", PHONE), ("leader", PHONE), ("dongmen", DESK),
         ("auditor", DESK), ("street", DESK), ("supervisor", DESK), ("admin", DESK)]


def main(base: str, out: Path, extra: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        for login, viewport in ROLES:
            context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
            page = context.new_page()
            page.goto(base + "/login/")
            page.fill("input[name=username]", login)
            page.fill("input[name=password]", "gridgov-demo")
            page.click("main form [type=submit]")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{login}.png"), full_page=True)
            for path in extra:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=str(out / f"{login}-{name}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
