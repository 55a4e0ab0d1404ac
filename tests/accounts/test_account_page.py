"""The Account page: signing in to reach it, creating, listing and deleting API tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from pluto.server.accounts.models import ApiToken
from tests.conftest import PASSWORD, Caller, api_call

NEW_KEY = re.compile(r'id="new-token-value"[^>]*value="(plut[0-9A-Za-z]{36})"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(caller: Caller, client: Client | None = None) -> Client:
    """A browser client with the caller's web session."""
    browser = client or Client()
    browser.force_login(caller.user)
    return browser


def html(response: Any) -> str:
    """The page's HTML."""
    return str(response.content.decode())


def create_on_page(browser: Client, name: str, days: str = "") -> tuple[Any, str]:
    """Submit the "+ API token" form; the response and the key it shows."""
    response = browser.post("/account/tokens/", {"name": name, "expires_in_days": days})
    assert response.status_code == 201, html(response)
    found = NEW_KEY.search(html(response))
    assert found is not None, html(response)
    return response, found.group(1)


def table_row(page: str, text: str) -> str:
    """The HTML of the table row containing ``text``."""
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S) if text in row]
    assert len(rows) == 1, page
    return str(rows[0])


def me_status(key: str) -> tuple[int, str | None]:
    """The status and error code of ``GET lab/me/`` with ``key``."""
    response = api_call(Client(), "GET", "/lab/me/", HTTP_AUTHORIZATION=f"Token {key}")
    return response.status_code, (response.data or {}).get("code")


def database_text() -> str:
    """Every row of every table in the database, and every session decoded, as one text."""
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(str(row) for row in cursor.fetchall())
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    return "\n".join(rows + sessions)


def test_signed_out_visitor_signs_in_and_lands_back_on_the_account_page(ada: Caller) -> None:
    browser = Client()

    sent_away = browser.get("/account/")
    sign_in_page = browser.get(sent_away["Location"])
    signed_in_response = browser.post(
        "/accounts/login/",
        {"username": "ada@example.org", "password": PASSWORD, "next": "/account/"},
    )
    account = browser.get(signed_in_response["Location"])

    assert sent_away.status_code == 302
    assert sent_away["Location"] == "/accounts/login/?next=/account/"
    assert 'name="next" value="/account/"' in html(sign_in_page)
    assert signed_in_response.status_code == 302
    assert signed_in_response["Location"] == "/account/"
    assert account.status_code == 200
    assert "ada@example.org" in html(account)


def test_account_page_has_the_new_token_form(ada: Caller) -> None:
    page = html(signed_in(ada).get("/account/"))

    assert 'action="/account/tokens/"' in page
    assert 'name="name"' in page and 'name="expires_in_days"' in page
    assert "+ API token" in page


def test_new_key_is_shown_once_with_view_and_copy_buttons(ada: Caller) -> None:
    browser = signed_in(ada)

    created, key = create_on_page(browser, "laptop R scripts")
    next_visit = browser.get("/account/")

    assert "data-reveal" in html(created) and ">View</button>" in html(created)
    assert "data-copy" in html(created) and ">Copy</button>" in html(created)
    assert created["Cache-Control"] == "no-store"
    assert me_status(key) == (200, None)
    assert next_visit.status_code == 200
    assert key not in html(next_visit)
    assert "laptop R scripts" in html(next_visit)


def test_new_key_is_never_written_to_the_database(ada: Caller) -> None:
    _, key = create_on_page(signed_in(ada), "laptop R scripts")

    stored = database_text()

    assert ApiToken.objects.filter(user=ada.user, name="laptop R scripts").exists()
    assert key[-4:] in stored
    assert key not in stored


def test_token_list_shows_name_masked_key_and_dates(ada: Caller) -> None:
    browser = signed_in(ada)
    _, key = create_on_page(browser, "cluster jobs", days="30")
    me_status(key)
    token = ApiToken.objects.get(user=ada.user, name="cluster jobs")

    row = table_row(html(browser.get("/account/")), "cluster jobs")
    unused_row = table_row(html(browser.get("/account/")), "ada&#x27;s token")

    assert token.expires_at is not None and token.last_used_at is not None
    assert token.expires_at - timezone.now() > timedelta(days=29, hours=23)
    assert f"plut…{key[-4:]}" in row
    assert f"{token.created_at:%Y-%m-%d %H:%M}" in row
    assert f"{token.last_used_at:%Y-%m-%d %H:%M}" in row
    assert f"{token.expires_at:%Y-%m-%d}" in row
    assert row.count("never") == 0
    assert unused_row.count("never") == 2  # never used, never expires
    assert "Delete token" in row


def test_deleting_a_token_on_the_account_page_refuses_its_next_request(ada: Caller) -> None:
    browser = signed_in(ada)
    _, key = create_on_page(browser, "old laptop")
    token = ApiToken.objects.get(user=ada.user, name="old laptop")
    delete_url = f"/account/tokens/{token.uuid}/delete/"
    assert delete_url in html(browser.get("/account/"))
    assert me_status(key) == (200, None)

    confirmation = browser.get(delete_url)
    deleted = browser.post(delete_url)
    back_on_account = browser.get(deleted["Location"])

    assert confirmation.status_code == 200
    assert "stops working at once" in html(confirmation)
    assert "every script using it will be refused" in html(confirmation)
    assert deleted.status_code == 302 and deleted["Location"] == "/account/"
    assert "Scripts using it stop working now" in html(back_on_account)
    assert me_status(key) == (401, "authentication_failed")
    assert not ApiToken.objects.filter(uuid=token.uuid).exists()


def test_user_cannot_delete_someone_elses_token(ada: Caller, bob: Caller) -> None:
    bobs_token = ApiToken.objects.get(user=bob.user)
    browser = signed_in(ada)
    delete_url = f"/account/tokens/{bobs_token.uuid}/delete/"

    confirmation = browser.get(delete_url)
    deletion = browser.post(delete_url)

    assert confirmation.status_code == deletion.status_code == 404
    assert ApiToken.objects.filter(uuid=bobs_token.uuid).exists()
    assert me_status(bob.key) == (200, None)
    assert "bob&#x27;s token" not in html(browser.get("/account/"))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"name": "scripts", "expires_in_days": "0"}, "greater than or equal to 1"),
        ({"name": "scripts", "expires_in_days": "3651"}, "less than or equal to 3650"),
        ({"name": "scripts", "expires_in_days": "soon"}, "Enter a whole number."),
    ],
)
def test_token_form_errors_rerender_the_page_with_a_message(
    ada: Caller, form: dict[str, str], message: str
) -> None:
    response = signed_in(ada).post("/account/tokens/", form)

    assert response.status_code == 400
    assert message in html(response)
    assert "+ API token" in html(response)
    assert NEW_KEY.search(html(response)) is None
    assert ApiToken.objects.filter(user=ada.user).count() == 1


def test_token_forms_require_the_csrf_token(ada: Caller) -> None:
    browser = signed_in(ada, Client(enforce_csrf_checks=True))
    token = ApiToken.objects.get(user=ada.user)
    delete_url = f"/account/tokens/{token.uuid}/delete/"

    forged_create = browser.post("/account/tokens/", {"name": "forged"})
    forged_delete = browser.post(delete_url)
    csrf = CSRF_FIELD.search(html(browser.get("/account/")))
    assert csrf is not None
    genuine = browser.post("/account/tokens/", {"name": "mine", "csrfmiddlewaretoken": csrf[1]})

    assert forged_create.status_code == forged_delete.status_code == 403
    assert ApiToken.objects.filter(uuid=token.uuid).exists()
    assert not ApiToken.objects.filter(name="forged").exists()
    assert genuine.status_code == 201
    assert ApiToken.objects.filter(user=ada.user, name="mine").exists()
