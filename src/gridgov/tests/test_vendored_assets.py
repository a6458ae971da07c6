"""The front-end libraries are served by the app itself: every vendored file is exactly the one the manifest
names (written by ``scripts/vendor`` from the pinned npm tarball), and each library ships its licence."""

import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders

STATIC = Path(__file__).resolve().parents[1] / "static"
MANIFEST = json.loads((STATIC / "vendor" / "manifest.json").read_text())


def test_every_vendored_file_matches_its_checksum_in_the_manifest():
    wrong = []
    for library in MANIFEST["libraries"]:
        for entry in library["files"]:
            content = (STATIC / entry["path"]).read_bytes()
            if hashlib.sha256(content).hexdigest() != entry["sha256"] or len(content) != entry["bytes"]:
                wrong.append(entry["path"])
    assert wrong == []


def test_nothing_is_vendored_that_the_manifest_does_not_describe():
    described = {entry["path"] for library in MANIFEST["libraries"] for entry in library["files"]}
    on_disk = {str(path.relative_to(STATIC)) for path in (STATIC / "vendor").rglob("*")
               if path.is_file() and path.name != "manifest.json"}
    assert on_disk == described


def test_every_library_is_pinned_and_ships_its_licence():
    for library in MANIFEST["libraries"]:
        assert library["version"].count(".") == 2 and library["integrity"].startswith("sha512-"), library["name"]
        assert any("LICENSE" in entry["path"] for entry in library["files"]), library["name"]


def test_the_libraries_are_found_by_the_static_files_finders():
    for path in ["vendor/weui/weui.min.css", "vendor/jsqr/jsQR.js", "vendor/echarts/echarts.min.js",
                 "js_lib_leaflet/leaflet.js", "js_lib_leaflet/leaflet.css", "htmx/htmx.min.js"]:
        assert finders.find(path), path
