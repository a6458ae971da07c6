"""Failed logins lock the guesser's address and only slow a username: nobody can lock someone else out.

The same rules hold for the login page and ``POST /api/v1/auth/token``; every scenario runs on both.
"""

import ipaddress
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

PASSWORD = "pass-for-tests-1"
VICTIM, ATTACKER, OTHER_ATTACKER = "10.0.0.7", "10.0.0.66", "10.0.0.67"


def page_login(username, password, address, **headers):
    response = Client().post(reverse("login"), {"username": username, "password": password},
                             REMOTE_ADDR=address, headers=headers)
    return {302: "in", 200: "wrong", 429: "refused"}[response.status_code]


def api_login(username, password, address, **headers):
    response = Client().post("/api/v1/auth/token", {"username": username, "password": password},
                             content_type="application/json", REMOTE_ADDR=address, headers=headers)
    outcome = {201: "in", 401: "wrong", 429: "refused"}[response.status_code]
    assert outcome != "refused" or response.json()["code"] == "locked_out"
    return outcome


@pytest.fixture(params=[page_login, api_login], ids=["page", "api"])
def login(request, street):
    return request.param


def forget_time(seconds: int) -> None:
    """As if every failure so far happened ``seconds`` earlier."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(seconds=seconds))


def test_an_attacker_from_one_address_cannot_lock_out_the_victim_at_another(login, settings):
    # The username is slowed only at the address limit: it is the address's lock that refuses here, whatever the
    # time the guesses take (a slowed username's one-second wait may be over on a slow machine).
    settings.LOGIN_SLOW_AFTER = settings.AXES_FAILURE_LIMIT
    outcomes = [login("street", "guess", ATTACKER) for _attempt in range(3 * settings.AXES_FAILURE_LIMIT)]
    assert "refused" in outcomes and "in" not in outcomes
    assert login("street", PASSWORD, ATTACKER) == "refused"  # the attacker's address is locked
    assert login("street", PASSWORD, VICTIM) == "in"  # the owner, from their own phone, gets in


def test_an_address_is_locked_after_the_limit_whatever_usernames_it_tries(login, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        assert login(f"guess{attempt}", "guess", ATTACKER) in {"wrong", "refused"}
    assert login("worker_a", PASSWORD, ATTACKER) == "refused"  # even a right password, from there
    assert login("worker_a", PASSWORD, VICTIM) == "in"


def test_a_username_failing_from_many_addresses_is_slowed_for_them_not_for_a_clean_address(login, settings):
    settings.LOGIN_SLOW_AFTER = 2
    for attempt in range(6):  # six addresses, one guess each: none of them reaches the address limit
        assert login("street", "guess", f"10.0.1.{attempt}") == "wrong"
    # Six failures: a 16-second wait for any address that failed, …
    assert login("street", PASSWORD, "10.0.1.0") == "refused"
    assert login("street", "guess", "10.0.1.5") == "refused"
    assert AccessAttempt.objects.filter(username="street").count() == 6  # refusals are not counted
    # … none for an address that did not: the owner's right password passes.
    assert login("street", PASSWORD, VICTIM) == "in"


def test_a_slowed_address_may_try_again_once_the_wait_is_over(login, settings):
    settings.LOGIN_SLOW_AFTER = 2
    for attempt in range(3):
        login("street", "guess", f"10.0.1.{attempt}")
    login("street", "typo", VICTIM)  # the owner mistypes once: their address is no longer clean
    assert login("street", PASSWORD, VICTIM) == "refused"  # 4 failures: wait 4 seconds
    forget_time(settings.LOGIN_SLOW_MAX_SECONDS)
    assert login("street", PASSWORD, VICTIM) == "in"


def test_the_wait_doubles_but_never_exceeds_a_minute(street, settings, rf):
    from gridgov.logins import username_wait

    settings.LOGIN_SLOW_AFTER = 1
    for attempt in range(12):
        page_login("street", "guess", f"10.0.2.{attempt}")
    request = rf.post("/login/", REMOTE_ADDR="10.0.2.0")
    assert settings.LOGIN_SLOW_MAX_SECONDS - 2 <= username_wait(request, "street") <= settings.LOGIN_SLOW_MAX_SECONDS
    forget_time(settings.LOGIN_SLOW_MAX_SECONDS)
    assert username_wait(request, "street") == 0


def test_a_success_forgives_the_own_typos_not_the_guesses_at_others(login, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 2):
        login(f"guess{attempt}", "guess", ATTACKER)
    login("worker_a", "typo", ATTACKER)
    assert login("worker_a", PASSWORD, ATTACKER) == "in"  # the attacker's own account: the typo is forgiven
    assert not AccessAttempt.objects.filter(username="worker_a").exists()
    assert login("guess-x", "guess", ATTACKER) == "wrong"
    assert login("guess-y", "guess", ATTACKER) == "refused"  # the guesses at others still count: the limit
    assert login("worker_a", PASSWORD, ATTACKER) == "refused"


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(login, settings):
    settings.TRUSTED_PROXIES = []
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(f"guess{attempt}", "guess", ATTACKER, x_forwarded_for=f"192.0.2.{attempt}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login("worker_a", PASSWORD, ATTACKER, x_forwarded_for="192.0.2.200") == "refused"


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(login, settings):
    proxy = "127.0.0.1"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(proxy)]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(f"guess{attempt}", "guess", proxy, x_forwarded_for=f"1.2.3.4, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login("worker_a", PASSWORD, proxy, x_forwarded_for=ATTACKER) == "refused"
    assert login("worker_a", PASSWORD, proxy, x_forwarded_for=f"{ATTACKER}, {VICTIM}") == "in"


def test_the_page_says_how_long_to_wait(street, settings):
    settings.LOGIN_SLOW_AFTER = 1
    for attempt in range(3):
        page_login("street", "guess", f"10.0.1.{attempt}")
    slowed = Client().post(reverse("login"), {"username": "street", "password": "x"}, REMOTE_ADDR="10.0.1.0")
    assert slowed.status_code == 429 and 0 < int(slowed["Retry-After"]) <= 4
    assert "秒" in slowed.content.decode()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page_login(f"guess{attempt}", "guess", ATTACKER)
    locked = Client().post(reverse("login"), {"username": "street", "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert locked.status_code == 429 and locked["Retry-After"] == str(15 * 60)
    assert "15" in locked.content.decode() and "分钟" in locked.content.decode()
