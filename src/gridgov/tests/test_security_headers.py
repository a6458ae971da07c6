"""Headers at the boundary: the Content-Security-Policy, no-store for personal pages, HTTPS settings, proxies."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from gridgov.orgs.services import api_token_create
from gridgov.security import client_address

PACKAGE = Path(__file__).resolve().parents[1]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


def policy(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


def test_pages_carry_a_policy_that_runs_only_the_sites_own_scripts(client, street):
    client.force_login(street.community_cadre.user)
    for response in [Client().get("/login/"), client.get("/"), client.get("/tree/C01/")]:
        directives = policy(response)
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'" and "unsafe" not in response["Content-Security-Policy"]
        assert "geolocation=(self)" in response["Permissions-Policy"]


def test_swagger_ui_alone_may_show_data_images(client):
    assert "data:" in policy(client.get("/api/v1/docs"))["img-src"]
    assert "data:" not in policy(client.get("/login/"))["img-src"]


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_ATTRIBUTE, STYLE_ATTRIBUTE],
                         ids=["inline script", "on*= attribute", "style attribute"])
def test_no_template_holds_what_the_policy_refuses(pattern):
    offenders = [
        f"{path.relative_to(PACKAGE)}: {match.group(0)[:80]}"
        for path in PACKAGE.rglob("templates/**/*.html")
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_the_service_worker_and_the_tills_camera_need_nothing_beyond_the_sites_own_policy(client, street):
    """The worker script is this site's own (``worker-src`` falls back to ``script-src 'self'``), the manifest
    too (``manifest-src`` falls back to ``default-src 'self'``), and a camera stream shown through ``srcObject``
    needs no ``media-src`` and no ``blob:`` beyond images: nothing is widened for them, and the camera is this site's alone."""
    client.force_login(street.community_cadre.user)
    site = policy(client.get("/"))
    for path in ["/sw.js", "/manifest.webmanifest", "/offline/", "/rewards/till/"]:
        response = client.get(path)
        assert policy(response) == site, path
        assert response["Permissions-Policy"].startswith("camera=(self)")
    assert not {"worker-src", "manifest-src", "media-src"} & set(site)
    # blob: is allowed for images alone (the preview of a photo before it is sent), for nothing else
    assert [name for name, sources in site.items() if "blob:" in sources] == ["img-src"]


def test_logged_in_pages_and_token_calls_are_not_stored(client, street):
    client.force_login(street.worker_a.user)
    for url in ["/", "/points/", "/tasks/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store", url
    _token, secret = api_token_create(actor=street.worker_a)
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})["Cache-Control"] == "no-store"


def test_static_assets_and_public_pages_keep_their_caching(client, street):
    from gridgov.indices.models import OrgCode

    code = OrgCode.objects.create(node=street.community)
    public = Client().get(f"/o/{code.slug}/")
    assert public.status_code == 200 and "no-store" not in public.get("Cache-Control", "")
    client.force_login(street.worker_a.user)
    asset = client.get("/static/gridgov/app.js")
    assert asset.status_code == 200 and "no-store" not in asset.get("Cache-Control", "")
    b"".join(asset.streaming_content)


def settings_under(**environ) -> dict:
    """The security settings as a fresh process reads them from the environment."""
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"]
    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridgov.settings", **environ}
    env = {key: value for key, value in env.items() if value is not None}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_setting_turns_on_secure_cookies_hsts_and_the_proxys_scheme_header():
    plain = settings_under(GRIDGOV_HTTPS=None, GRIDGOV_TRUSTED_PROXIES=None)
    assert plain == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False, "SECURE_HSTS_SECONDS": 0,
                     "SECURE_PROXY_SSL_HEADER": None}
    https = settings_under(GRIDGOV_HTTPS="1", GRIDGOV_TRUSTED_PROXIES="127.0.0.1")
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_bad_trusted_proxy_setting_stops_the_start():
    with pytest.raises(subprocess.CalledProcessError) as failed:
        settings_under(GRIDGOV_TRUSTED_PROXIES="10.0.0.1,not-an-address")
    assert "GRIDGOV_TRUSTED_PROXIES" in failed.value.stderr


def test_hsts_is_sent_over_https_from_the_trusted_proxy_only(client, settings, db):
    import ipaddress

    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    proxied = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert proxied["Strict-Transport-Security"].startswith("max-age=3600")
    stranger = client.get("/login/", headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR="10.9.9.9")
    assert "Strict-Transport-Security" not in stranger


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.7"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.1.0.0/16")]
    # The client wrote "1.2.3.4" itself; the outer proxy 10.1.0.5 appended the address it saw, 172.16.0.9.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 172.16.0.9, 10.1.0.5")
    assert client_address(request) == "172.16.0.9"
    no_header = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    assert client_address(no_header) == "127.0.0.1"
