"""One error contract: a code has one status everywhere, the API and the pages map refusals once."""

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

import gridgov.urls  # noqa: F401  (imports every router, so every app has registered its codes)
from gridgov.api import codes_table
from gridgov.errors import CODES, Conflict, DomainError, Invalid, NotFound, PermissionDenied, refusal, register_codes
from gridgov.pages import RefusalMiddleware

DOCS = Path(__file__).resolve().parents[3] / "docs" / "errors.md"


def test_the_documented_error_table_is_the_registered_one():
    text = DOCS.read_text()
    documented = re.search(r"<!-- codes:start -->\n(.*)\n<!-- codes:end -->", text, re.S).group(1)
    assert documented == codes_table()


def test_a_code_cannot_be_registered_with_a_second_status():
    with pytest.raises(ValueError, match="invalid_state"):
        register_codes({"invalid_state": (400, "")})
    assert CODES["invalid_state"].status == 409


def test_an_unregistered_code_is_a_programming_error():
    with pytest.raises(ValueError, match="unregistered"):
        Invalid("x", code="no_such_code_anywhere")


def test_a_refusal_takes_the_class_its_code_stands_for():
    assert isinstance(refusal("self_approval", "no"), PermissionDenied)
    assert isinstance(refusal("task_full", "no"), Conflict)
    assert isinstance(refusal("unknown_posting", "no"), NotFound)
    assert type(refusal("reason_required", "no")) is Invalid
    assert refusal("task_full", "no").status == 409


def test_every_refusal_class_has_a_registered_default_code():
    for kind in (DomainError, Invalid, PermissionDenied, NotFound, Conflict):
        assert kind.code in CODES


def _page_request(method: str, referer: str = ""):
    factory = RequestFactory()
    request = factory.post("/tasks/1/claim", HTTP_REFERER=referer) if method == "POST" else factory.get("/tasks/1")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


def test_a_refused_form_post_goes_back_with_the_message():
    middleware = RefusalMiddleware(lambda request: None)
    request = _page_request("POST", referer="http://testserver/tasks/square")
    response = middleware.process_exception(request, Conflict("全满了", code="task_full"))
    assert response.status_code == 302 and response["Location"] == "http://testserver/tasks/square"
    assert [str(message) for message in get_messages(request)] == ["全满了"]


def test_a_refused_post_never_redirects_to_another_site():
    middleware = RefusalMiddleware(lambda request: None)
    response = middleware.process_exception(_page_request("POST", referer="https://evil.example/x"),
                                            Conflict("no", code="task_full"))
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_refused_page_shows_the_status_of_its_code():
    middleware = RefusalMiddleware(lambda request: None)
    response = middleware.process_exception(_page_request("GET"), Conflict("这一期已发布", code="frozen"))
    assert response.status_code == 409 and "这一期已发布" in response.content.decode()
    assert middleware.process_exception(_page_request("GET"), ValueError("a bug")) is None



def test_a_not_found_raised_by_an_endpoint_speaks_chinese(street):
    """The API's words are zh-Hans like every page's: an endpoint's own "no such …" is translated, not English."""
    from django.test import Client

    from gridgov.orgs.services import api_token_create

    _token, secret = api_token_create(actor=street.worker_a)
    answer = Client().get("/api/v1/bookings/bases/NO-SUCH-BASE", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "message": "没有这个基地。"}
