"""Sign-in, sign-out, password change, self sign-up and the admin pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from pluto.server.accounts.models import ApiToken, User
from tests.conftest import PASSWORD, Caller, api_call

NEW_PASSWORD = "a brand new passphrase 77"


def html(response: Any) -> str:
    """The page's HTML."""
    return str(response.content.decode())


def sign_in(browser: Client, email: str, password: str) -> Any:
    """Submit the sign-in form."""
    return browser.post("/accounts/login/", {"username": email, "password": password})


def is_signed_in(browser: Client) -> bool:
    """Whether the browser's session opens the Account page."""
    return bool(browser.get("/account/").status_code == 200)


def signup_form(email: str, password: str = NEW_PASSWORD) -> dict[str, str]:
    """A filled-in sign-up form."""
    return {
        "email": email,
        "first_name": "Grace",
        "last_name": "Hopper",
        "password1": password,
        "password2": password,
    }


def test_signing_in_with_the_right_password_opens_the_account_page(ada: Caller) -> None:
    browser = Client()

    response = sign_in(browser, "ada@example.org", PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/account/"
    assert is_signed_in(browser)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.org", "not the password"),
        ("nobody@example.org", PASSWORD),
        ("", ""),
    ],
)
def test_sign_in_errors_say_so_and_do_not_sign_in(ada: Caller, email: str, password: str) -> None:
    browser = Client()

    response = sign_in(browser, email, password)

    assert response.status_code == 200
    assert "did not match" in html(response)
    assert not is_signed_in(browser)


def test_inactive_user_cannot_sign_in(ada: Caller) -> None:
    User.objects.filter(pk=ada.user.pk).update(is_active=False)
    browser = Client()

    response = sign_in(browser, "ada@example.org", PASSWORD)

    assert "did not match" in html(response)
    assert not is_signed_in(browser)


def test_signing_out_takes_a_post_and_ends_the_session(ada: Caller) -> None:
    browser = Client()
    sign_in(browser, "ada@example.org", PASSWORD)
    assert 'action="/accounts/logout/"' in html(browser.get("/account/"))

    by_link = browser.get("/accounts/logout/")
    still_in = is_signed_in(browser)
    by_form = browser.post("/accounts/logout/")

    assert by_link.status_code == 405 and still_in
    assert by_form.status_code == 302 and by_form["Location"] == "/accounts/login/"
    assert not is_signed_in(browser)


def test_changing_the_password_keeps_the_session_and_the_tokens(ada: Caller) -> None:
    browser = Client()
    sign_in(browser, "ada@example.org", PASSWORD)
    form = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD}

    page = browser.get("/accounts/password/")
    changed = browser.post("/accounts/password/", {**form, "new_password2": NEW_PASSWORD})
    done = browser.get(changed["Location"])
    token_use = api_call(Client(), "GET", "/lab/me/", HTTP_AUTHORIZATION=f"Token {ada.key}")

    assert page.status_code == 200 and 'name="old_password"' in html(page)
    assert "<title>Change password · Pluto</title>" in html(page)
    assert changed.status_code == 302 and changed["Location"] == "/accounts/password/done/"
    assert "<title>Password changed · Pluto</title>" in html(done)
    assert "Your API tokens keep working" in html(done)
    assert is_signed_in(browser)
    assert token_use.status_code == 200
    assert sign_in(Client(), "ada@example.org", PASSWORD).status_code == 200
    assert sign_in(Client(), "ada@example.org", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "Your old password was entered incorrectly",
        ),
        (
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "other"},
            "password fields didn\u2019t match",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
            "too common",
        ),
    ],
)
def test_password_change_errors_are_shown(ada: Caller, form: dict[str, str], message: str) -> None:
    browser = Client()
    sign_in(browser, "ada@example.org", PASSWORD)

    response = browser.post("/accounts/password/", form)

    assert response.status_code == 200
    assert message in html(response)
    assert sign_in(Client(), "ada@example.org", PASSWORD).status_code == 302


def test_password_change_page_needs_a_sign_in(db: None) -> None:
    response = Client().get("/accounts/password/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"


def test_sign_up_is_not_found_by_default(db: None) -> None:
    browser = Client()

    page = browser.get("/accounts/signup/", HTTP_ACCEPT="text/html")
    attempt = browser.post("/accounts/signup/", signup_form("grace@example.org"))
    sign_in_page = browser.get("/accounts/login/")

    assert page.status_code == attempt.status_code == 404
    assert not User.objects.filter(email="grace@example.org").exists()
    assert "/accounts/signup/" not in html(sign_in_page)


@override_settings(ALLOW_SIGNUP=True)
def test_sign_up_creates_a_signed_in_account_when_allowed(db: None) -> None:
    browser = Client()

    page = browser.get("/accounts/signup/")
    response = browser.post("/accounts/signup/", signup_form("Grace@Example.org"))

    user = User.objects.get(email="grace@example.org")
    assert page.status_code == 200 and 'name="email"' in html(page)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert (user.first_name, user.last_name) == ("Grace", "Hopper")
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff
    assert is_signed_in(browser)
    assert "/accounts/signup/" in html(Client().get("/accounts/login/"))


@override_settings(ALLOW_SIGNUP=True)
def test_sign_up_refuses_an_email_already_in_use(ada: Caller) -> None:
    browser = Client()

    response = browser.post("/accounts/signup/", signup_form("ADA@example.org"))

    assert response.status_code == 200
    assert "An account with this email already exists." in html(response)
    assert User.objects.filter(email__iexact="ada@example.org").count() == 1
    assert not is_signed_in(browser)


@override_settings(ALLOW_SIGNUP=True)
def test_sign_up_refuses_a_weak_password(db: None) -> None:
    response = Client().post("/accounts/signup/", signup_form("grace@example.org", "12345678"))

    assert response.status_code == 200
    assert "too common" in html(response)
    assert not User.objects.filter(email="grace@example.org").exists()


def test_admin_lists_tokens_without_their_keys(ada: Caller, make_caller: Any) -> None:
    staff = make_caller("root", is_staff=True)
    browser = Client()
    browser.force_login(staff.user)
    token = ApiToken.objects.get(user=ada.user)

    listing = browser.get("/admin/accounts/apitoken/")
    detail = browser.get(f"/admin/accounts/apitoken/{token.pk}/change/")

    assert listing.status_code == detail.status_code == 200
    assert token.masked in html(listing)
    for page in (html(listing), html(detail)):
        assert ada.key not in page and token.key_hash not in page


def test_admin_adds_a_user_by_email(make_caller: Any) -> None:
    staff = make_caller("root", is_staff=True)
    browser = Client()
    browser.force_login(staff.user)
    form = {"email": "grace@example.org", "first_name": "Grace", "last_name": "Hopper"}

    page = browser.get("/admin/accounts/user/add/")
    response = browser.post(
        "/admin/accounts/user/add/",
        {**form, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert page.status_code == 200
    assert response.status_code == 302, html(response)
    assert User.objects.get(email="grace@example.org").check_password(NEW_PASSWORD)


def test_admin_is_closed_to_users_who_are_not_staff(ada: Caller) -> None:
    browser = Client()
    browser.force_login(ada.user)

    response = browser.get("/admin/accounts/apitoken/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
