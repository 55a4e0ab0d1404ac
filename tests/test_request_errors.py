"""Bodies and query strings Django refuses to read are 4xx JSON errors, never a 500: broken
multipart bodies on every endpoint that takes one, bodies over the JSON limit, too many
parameters, on the API and through the web pages' CSRF check."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from pluto.server.lab.models import Experiment, Project
from tests.conftest import Caller, make_experiment, make_project
from tests.test_api_contract import assert_error

NO_BOUNDARY = ("multipart/form-data", b'--xx\r\nContent-Disposition: form-data; name="file"')
TRUNCATED = (
    "multipart/form-data; boundary=xx",
    b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\nsample_id\r\nS1",
)
BROKEN_MULTIPART = {"no boundary": NO_BOUNDARY, "truncated": TRUNCATED}


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    return make_experiment(ada.user, make_project(ada.user))


def multipart_endpoints(experiment: Experiment) -> list[tuple[str, str]]:
    """Every API endpoint that reads a multipart body, and a JSON one sent multipart."""
    base = f"/lab/experiments/{experiment.pluto_id}"
    return [
        ("PUT", f"{base}/sample-data/"),
        ("PUT", f"{base}/assay-data/"),
        ("POST", "/lab/gene-set-collections/?shortname=sets"),
        ("POST", f"{base}/external/plots/"),
        ("POST", f"{base}/upload-sessions/"),
        ("POST", "/lab/projects/"),
    ]


def send_raw(caller: Caller, method: str, path: str, content_type: str, body: bytes) -> Any:
    client = Client(raise_request_exception=False)
    response = client.generic(
        method, path, body, content_type=content_type, HTTP_AUTHORIZATION=f"Token {caller.key}"
    )
    is_json = response.get("Content-Type", "").startswith("application/json")
    response.data = json.loads(response.content) if is_json else None
    return response


@pytest.mark.parametrize("broken", list(BROKEN_MULTIPART))
def test_a_broken_multipart_body_is_400_invalid_on_every_endpoint(
    ada: Caller, experiment: Experiment, broken: str
) -> None:
    content_type, body = BROKEN_MULTIPART[broken]
    for method, path in multipart_endpoints(experiment):
        response = send_raw(ada, method, path, content_type, body)
        error = assert_error(response, 400, "invalid")
        assert error["details"].get("field") in {"body", "file"}, (path, error)


def browser_of(caller: Caller, page: str) -> Client:
    """A signed-in browser that checks CSRF like a real one, holding the page's cookie."""
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(caller.user)
    assert browser.get(page).status_code == 200
    return browser


def test_a_broken_multipart_form_on_a_web_page_is_400_not_a_crash(
    ada: Caller, experiment: Experiment
) -> None:
    """The CSRF check reads the form before the view runs; a broken one is refused there."""
    browser = browser_of(ada, f"/experiments/{experiment.pluto_id}/")
    content_type, body = NO_BOUNDARY
    response = browser.generic(
        "POST", f"/experiments/{experiment.pluto_id}/", body, content_type=content_type
    )
    assert response.status_code == 400, response.content
    assert "boundary" in response.content.decode()


def test_a_json_body_over_the_limit_is_413_naming_the_limit(ada: Caller) -> None:
    body = json.dumps({"name": "Atlas", "description": "x" * 5000}).encode()
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096):
        response = send_raw(ada, "POST", "/lab/projects/", "application/json", body)
    error = assert_error(response, 413, "payload_too_large")
    assert error["details"]["limit"] == 4096
    assert "4096" in error["message"] and "PLUTO_MAX_JSON_BYTES" in error["message"]


def test_a_json_body_larger_than_djangos_default_limit_is_read(ada: Caller) -> None:
    """3 MB is past Django's 2.5 MB default: the body is read and judged on its content."""
    body = json.dumps({"name": "Atlas", "description": "x" * 3_000_000}).encode()
    response = send_raw(ada, "POST", "/lab/projects/", "application/json", body)
    error = assert_error(response, 400, "invalid")
    assert error["details"]["field"] == "description"


def test_a_form_over_the_limit_on_a_web_page_is_413(ada: Caller) -> None:
    browser = browser_of(ada, "/projects/")
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = browser.post(
            "/projects/", "name=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 413, response.content


def test_too_many_query_parameters_are_400_invalid_naming_the_limit(ada: Caller) -> None:
    query = "&".join(f"p{i}=1" for i in range(1100))
    response = send_raw(ada, "GET", f"/lab/projects/?{query}", "application/json", b"")
    error = assert_error(response, 400, "invalid")
    assert error["details"]["limit"] == 1000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"name": "ok", "description": "\u0000"}, "description"),
        ({"name": "ok", "tags": [{"x\u0000": 1}]}, "tags.0.x\\u0000"),
    ],
)
def test_a_nul_character_in_a_json_body_is_400_naming_the_field(
    ada: Caller, body: dict[str, Any], field: str
) -> None:
    # PostgreSQL cannot store it in text; the answer must not depend on the database.
    response = ada.call("POST", "/lab/projects/", body)

    assert response.status_code == 400
    assert response.data["details"]["field"] == field
    assert "NUL character" in response.data["message"]
    assert not Project.objects.exists()


def test_a_literal_backslash_u0000_in_a_name_is_only_text(ada: Caller) -> None:
    # JSON "\\u0000" is a backslash followed by "u0000", not a NUL character.
    response = ada.call("POST", "/lab/projects/", {"name": "a\\u0000b"})

    assert response.status_code == 201
    assert response.data["name"] == "a\\u0000b"


def test_a_nul_character_is_refused_whatever_the_endpoint_does_with_its_body(
    ada: Caller,
) -> None:
    response = ada.call("POST", "/lab/me/", {"note": "x\u0000"})

    assert response.status_code == 400
    assert response.data["details"]["field"] == "note"


def test_every_documented_request_text_says_it_takes_no_nul_character(client: Client) -> None:
    schema = client.get("/lab/openapi.json/").json()
    body = schema["paths"]["/lab/projects/"]["post"]["requestBody"]["content"]
    name = body["application/json"]["schema"]["properties"]["name"]
    assert "\\x00" in name["pattern"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    texts = [
        node
        for node in walk(bodies)
        if node.get("type") == "string" and not {"enum", "const", "format"} & set(node)
    ]
    assert len(texts) > 20
    assert all(re.search(node["pattern"], "a\x00b") is None for node in texts)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/lab/programs/?search=a%00b", "search"),
        ("/lab/biomarker-sets/?search=%00", "search"),
        ("/lab/projects/?limit=10&x%00=1", "x\\u0000"),
    ],
)
def test_a_nul_character_in_a_query_parameter_is_400_naming_it(
    ada: Caller, path: str, field: str
) -> None:
    # PostgreSQL cannot compare text with NUL; the answer must not depend on the database.
    response = ada.call("GET", path)

    assert response.status_code == 400
    assert response.data["details"]["field"] == field
    assert "NUL character" in response.data["message"]


def test_every_documented_query_text_says_it_takes_no_nul_character(client: Client) -> None:
    schema = client.get("/lab/openapi.json/").json()
    parameters = [
        parameter["schema"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    texts = [
        node
        for node in parameters
        if node.get("type") == "string" and not {"enum", "const", "format"} & set(node)
    ]
    assert len(texts) > 5
    assert all(re.search(node["pattern"], "a\x00b") is None for node in texts)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a JSON document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)
