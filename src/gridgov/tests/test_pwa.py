"""The installable app's server side: the manifest, the service worker script, the offline page, the header that
keeps cached pages to one login, and the words the scripts say."""

import io
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from gridgov import pwa

PACKAGE = Path(__file__).resolve().parents[1]
STATIC = PACKAGE / "static" / "gridgov"
SCRIPTS = ["offline.js", "till-scan.js", "sw.js"]


def worker_settings(response) -> dict:
    first_line = response.content.decode().split("\n", 1)[0]
    assert first_line.startswith("self.GRIDGOV_SW = ") and first_line.endswith(";")
    return json.loads(first_line.removeprefix("self.GRIDGOV_SW = ").removesuffix(";"))


def test_the_manifest_names_the_app_its_colours_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["short_name"], manifest["lang"]) == ("网格治理 gridgov", "网格治理", "zh-Hans")
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    brand_red = re.search(r"--red:\s*(#[0-9a-f]{6})", (STATIC / "app.css").read_text()).group(1)
    assert manifest["theme_color"] == manifest["background_color"] == brand_red
    kinds = set()
    for icon in manifest["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200 and icon["type"] == "image/png"
        image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        kinds.add((icon["sizes"], icon["purpose"]))
    assert kinds == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


def test_the_favicon_the_admin_pages_ask_for_is_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/gridgov/icons/icon-192.png"


def test_a_maskable_icon_keeps_its_mark_inside_the_safe_circle():
    image = Image.open(STATIC / "icons" / "icon-maskable-512.png").convert("RGB")
    assert image.getpixel((0, 0)) == image.getpixel((511, 511)) == (0xB3, 0x26, 0x1E)  # red to the edges
    # The white tile lies within the centred circle of 80 % of the side.
    white = [(x, y) for x in range(0, 512, 4) for y in range(0, 512, 4) if image.getpixel((x, y)) == (255, 255, 255)]
    assert white and max(((x - 256) ** 2 + (y - 256) ** 2) ** 0.5 for x, y in white) < 0.4 * 512


def test_the_service_worker_is_served_at_the_root_with_its_settings_in_front(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    settings = worker_settings(response)
    assert settings["version"] == pwa.static_version()
    assert response.content.decode().endswith((STATIC / "sw.js").read_text())
    for address in settings["shell"]:  # everything it keeps on install is there to keep
        answer = client.get(address)
        assert answer.status_code == 200, address
        if answer.streaming:
            b"".join(answer.streaming_content)
    assert settings["offline"] in settings["shell"] and settings["outbox"] in settings["shell"]
    assert {"/api/", "/admin/", "/login/", "/logout/"} <= set(settings["notCached"])


def test_the_cache_version_changes_when_any_static_file_does(settings, tmp_path):
    (tmp_path / "extra.css").write_text("body { color: #111; }")
    settings.STATICFILES_DIRS = [tmp_path]
    pwa.static_version.cache_clear()
    try:
        before = pwa.static_version()
        (tmp_path / "extra.css").write_text("body { color: #222; }")
        pwa.static_version.cache_clear()
        assert pwa.static_version() != before
    finally:
        pwa.static_version.cache_clear()


def test_the_offline_page_names_nobody_so_every_login_may_keep_it(client, street):
    client.force_login(street.worker_a.user)
    page = client.get("/offline/").content.decode()
    assert "没有网络" in page and "data-offline-retry" in page and "data-offline-pages" in page
    assert street.worker_a.name not in page and "worker_a" not in page
    assert Client().get("/offline/").status_code == 200


@pytest.mark.django_db
def test_answers_to_a_login_name_its_session_and_no_one_else_is_named(client, street):
    assert pwa.VIEWER_HEADER not in Client().get("/login/")
    client.force_login(street.worker_a.user)
    first = client.get("/")[pwa.VIEWER_HEADER]
    assert first == client.get("/points/")[pwa.VIEWER_HEADER]
    assert client.session.session_key not in first
    again = Client()
    again.force_login(street.worker_a.user)
    assert again.get("/")[pwa.VIEWER_HEADER] != first  # another login of the same person: its own pages


def test_the_scripts_speak_chinese(client):
    catalog_po = (PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "djangojs.po").read_text()
    said = set()
    for name in SCRIPTS:
        source = (STATIC / name).read_text()
        said |= set(re.findall(r'\bn?gettext\("((?:[^"\\]|\\.)*)"', source))
    translated = dict(re.findall(r'^msgid "(.+)"\n(?:msgid_plural .*\n)?msgstr(?:\[0\])? "(.+)"', catalog_po, re.M))
    wrapped = re.sub(r'"\n"', "", catalog_po)  # long msgids are wrapped over lines
    assert said and all(text in translated or f'"{text}"' in wrapped for text in said)
    assert not re.search(r'^msgstr(?:\[0\])? ""\n\n', catalog_po + "\n", re.M) and "#, fuzzy" not in catalog_po
    catalog = client.get("/jsi18n/").content.decode()  # the catalog holds its strings JSON-escaped
    assert json.dumps("已保存，恢复网络后自动发送")[1:-1] in catalog and json.dumps("没有获得摄像头权限")[1:-1] in catalog
