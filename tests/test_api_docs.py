"""The API docs page at ``lab/docs/``: the token header intact, scripts of our own, try-it-out."""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import Caller

CSRF_ON_PAGE = re.compile(r'data-csrf-token="([^"]+)"\s+data-api-csrf="true"')
ASSETS = re.compile(r'(?:src|href)="([^"]+)"')


def signed_in(caller: Caller) -> Client:
    """A browser with the caller's session that, like a real one, is held to CSRF."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(caller.user)
    return browser


def test_the_schema_shows_the_token_header_as_code_so_it_survives_markdown(
    client: Client,
) -> None:
    info = client.get("/lab/openapi.json").json()["info"]

    assert "`Authorization: Token <key>`" in info["description"]
    assert "'Authorization: Token <key>'" not in info["description"]


def test_the_schema_declares_token_and_session_authentication(client: Client) -> None:
    schema = client.get("/lab/openapi.json").json()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["token"]["description"],
    }
    assert schemes["session"]["in"] == "cookie"
    assert schema["security"] == [{"token": []}, {"session": []}]


def test_the_docs_page_loads_every_script_and_style_from_this_server(client: Client) -> None:
    page = client.get("/lab/docs/")
    assets = ASSETS.findall(page.content.decode())

    assert page.status_code == 200
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert all(client.get(a).status_code == 200 for a in assets)


def test_a_signed_in_user_s_docs_page_carries_a_csrf_token_that_writes_accept(
    ada: Caller,
) -> None:
    browser = signed_in(ada)
    found = CSRF_ON_PAGE.search(browser.get("/lab/docs/").content.decode())
    assert found is not None
    body = {"name": "Tried out"}

    refused = browser.post("/lab/projects/", body, content_type="application/json")
    created = browser.post(
        "/lab/projects/", body, content_type="application/json", HTTP_X_CSRFTOKEN=found.group(1)
    )
    me = browser.get("/lab/me/")

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert created.status_code == 201 and created.json()["name"] == "Tried out"
    assert me.status_code == 200 and me.json()["email"] == ada.user.email
