"""Page security: the Content-Security-Policy, no inline scripts, cookies over HTTPS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from pluto.server.lab.models import Experiment
from pluto.server.web.csp import POLICY
from tests.conftest import PASSWORD, Caller
from tests.web.conftest import html, signed_in

TEMPLATES = Path(__file__).parents[2] / "src/pluto/server/web/templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    [
        "/projects/",
        "/account/",
        "/experiments/{plx}/?tab=plots",
        "/experiments/{plx}/?tab=analysis",
    ],
)
def test_pages_allow_only_the_servers_own_scripts(
    ada: Caller, experiment: Experiment, path: str
) -> None:
    response = signed_in(ada.user).get(path.format(plx=experiment.pluto_id))

    policy = response["Content-Security-Policy"]
    assert policy == POLICY
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_the_sign_in_page_has_the_policy_too(db: None) -> None:
    assert Client().get("/accounts/login/")["Content-Security-Policy"] == POLICY


def test_the_api_answers_keep_their_own_headers(ada: Caller) -> None:
    response = ada.call("GET", "/lab/me/")

    assert "Content-Security-Policy" not in response


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_has_an_inline_script(template: Path) -> None:
    for attributes in SCRIPT_TAG.findall(template.read_text()):
        assert "src=" in attributes, f"{template.name} has an inline <script>"


def test_no_template_marks_text_safe() -> None:
    for template in TEMPLATES.rglob("*.html"):
        assert "|safe" not in template.read_text(), template.name


def test_cookies_are_secure_over_https(ada: Caller) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": "ada@example.org", "password": PASSWORD},
        secure=True,
    )

    session = response.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_cookies_over_plain_http_are_still_httponly(ada: Caller) -> None:
    response = Client().post(
        "/accounts/login/", {"username": "ada@example.org", "password": PASSWORD}
    )

    assert response.cookies["sessionid"]["httponly"] is True


def test_every_form_carries_a_csrf_token(ada: Caller, with_data: Experiment) -> None:
    browser = signed_in(ada.user)
    paths = ["/projects/", f"/projects/{with_data.project.pluto_id}/"] + [
        f"/experiments/{with_data.pluto_id}/?tab={tab}"
        for tab in ("samples", "assay", "files", "settings")
    ]

    for path in paths:
        page = html(browser.get(path))
        for form in re.findall(r'<form method="post".*?</form>', page, re.DOTALL):
            assert 'name="csrfmiddlewaretoken"' in form, path
