"""The OpenAPI document describes what the server does: every operation is routable, every schema has
its own name, and every operation lists its error responses."""

import enum
import json
import re

import pytest
from pydantic import BaseModel

from gridgov.api import api
from gridgov.orgs.services import api_token_create

API = "/api/v1"
SAMPLE_PATH_VALUES = {"integer": "1", "string": "x"}


@pytest.fixture
def document(client):
    return client.get(f"{API}/openapi.json").json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def sample_path(path: str, operation) -> str:
    """The path with a sample value for each parameter, of the parameter's documented type."""
    types = {parameter["name"]: parameter["schema"].get("type", "string")
             for parameter in operation.get("parameters", []) if parameter["in"] == "path"}
    return re.sub(r"{(\w+)}", lambda match: SAMPLE_PATH_VALUES[types[match.group(1)]], path)


def test_every_documented_operation_is_routable_with_its_method(client, street, document):
    _token, secret = api_token_create(actor=street.admin)
    headers = {"Authorization": f"Bearer {secret}"}
    miss = client.get(f"{API}/no/such/endpoint", headers=headers).json()
    assert miss["code"] == "not_found"
    unroutable = []
    walk = sorted(operations(document), key=lambda each: each[1] == "delete")  # revoking the token comes last
    for path, method, operation in walk:
        url = sample_path(path, operation)
        body = operation.get("requestBody", {}).get("content", {})
        kwargs = {"data": "{}", "content_type": "application/json"} if "application/json" in body else {}
        response = getattr(client, method)(url, headers=headers, **kwargs)
        answer = json.loads(response.content) if response.content else {}
        if response.status_code == 405 or answer == miss:
            unroutable.append(f"{method.upper()} {url} -> {response.status_code} {answer}")
    assert not unroutable, unroutable
    assert len(list(operations(document))) > 60  # the walk saw the whole API


def test_audit_batch_is_reached_and_not_taken_for_a_claim_id(client, street):
    _token, secret = api_token_create(actor=street.auditor)
    response = client.post(f"{API}/claims/audit-batch", {"claim_ids": [1]}, content_type="application/json",
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json() == []


def schema_classes() -> dict[str, set[str]]:
    """Every schema class (model or enum) the operations use, by its name in the document."""
    found: dict[str, set[str]] = {}
    seen: set[int] = set()

    def visit(annotation):
        if id(annotation) in seen:
            return
        seen.add(id(annotation))
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            found.setdefault(annotation.__name__, set()).add(f"{annotation.__module__}.{annotation.__qualname__}")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__module__.startswith("gridgov"):  # ninja's own wrappers of params are inlined
                name = re.sub(r"[^a-zA-Z0-9.\-_]", "_", annotation.__name__)  # Page[TaskOut] -> Page_TaskOut_
                found.setdefault(name, set()).add(f"{annotation.__module__}.{annotation.__qualname__}")
            for field in annotation.model_fields.values():
                visit(field.annotation)
        for argument in getattr(annotation, "__args__", ()) or ():
            visit(argument)
        for metadata in getattr(annotation, "__metadata__", ()) or ():
            visit(metadata)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    visit(model)
    return found


def test_every_schema_has_a_name_of_its_own(document):
    """Two classes with one name would share one component: the document would show one for both."""
    classes = schema_classes()
    clashes = {name: sorted(paths) for name, paths in classes.items() if len(paths) > 1}
    assert not clashes
    assert set(document["components"]["schemas"]) == set(classes)


def test_the_login_body_is_the_login_schema(document):
    body = document["paths"][f"{API}/auth/token"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == {"username", "password", "label"}


def test_every_operation_lists_its_error_responses_with_the_error_schema(document):
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, method, operation in operations(document):
        responses = {int(status): response for status, response in operation["responses"].items()}
        failures = {status for status in responses if status >= 400}
        assert failures, (method, path)
        for status in failures:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)
            assert "`" in responses[status]["description"]  # names the codes
        if operation.get("security"):
            assert 401 in failures, (method, path)
        if operation.get("parameters") or "requestBody" in operation:
            assert 422 in failures, (method, path)


def test_every_list_answers_one_page_shape(document):
    pages = [name for name in document["components"]["schemas"] if name.startswith("Page_")]
    for name in pages:
        schema = document["components"]["schemas"][name]
        assert set(schema["properties"]) == {"items", "count", "limit", "offset"}, name
    for path, method, operation in operations(document):
        ok = operation["responses"].get("200", operation["responses"].get(200, {}))
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") == "array":
            assert method == "post", f"{method} {path} answers a bare list"  # a batch's results, not a list
        if any(parameter["name"] == "limit" for parameter in operation.get("parameters", [])):
            assert schema["$ref"].rsplit("/", 1)[1] in pages or path.endswith("/ranking/{code}"), path


def test_the_document_is_valid_json_without_nan(client):
    text = client.get(f"{API}/openapi.json").content.decode()
    assert json.loads(text, parse_constant=lambda name: pytest.fail(name))
