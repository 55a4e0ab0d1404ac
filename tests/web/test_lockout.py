"""Signing in: errors, and the lockout after repeated failures for one email and address."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from pluto.server.web.models import SignInFailure
from tests.conftest import PASSWORD, Caller
from tests.web.conftest import html

SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/"]
PROXY = (ipaddress.ip_network("192.168.1.10/32"),)


def sign_in(
    client: Client,
    email: str,
    password: str,
    address: str = "10.0.0.1",
    page: str = "/accounts/login/",
    **headers: str,
) -> str:
    response = client.post(
        page, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )
    return "signed in" if response.status_code == 302 else html(response)


def fail(
    times: int,
    email: str = "ada@example.org",
    address: str = "10.0.0.1",
    page: str = "/accounts/login/",
) -> str:
    result = ""
    for _ in range(times):
        result = sign_in(Client(), email, "wrong password", address, page)
    return result


def test_a_wrong_password_says_so(ada: Caller) -> None:
    page = fail(1)

    assert "Your email and password did not match. Try again." in page
    assert 'role="alert"' in page


def test_five_failures_lock_the_email_from_that_address(ada: Caller) -> None:
    fail(5)

    locked = sign_in(Client(), "ada@example.org", PASSWORD)

    assert "Too many attempts; try again in 15 minutes." in locked
    assert "did not match" not in locked


def test_the_lock_is_per_address_and_per_email(ada: Caller, bob: Caller) -> None:
    fail(5)

    elsewhere = sign_in(Client(), "ada@example.org", PASSWORD, address="10.0.0.2")
    other_email = sign_in(Client(), "bob@example.org", PASSWORD)

    assert elsewhere == "signed in"
    assert other_email == "signed in"


def test_four_failures_still_let_the_right_password_in_and_reset_the_count(ada: Caller) -> None:
    fail(4)

    first = sign_in(Client(), "ada@example.org", PASSWORD)
    fail(4)
    second = sign_in(Client(), "ada@example.org", PASSWORD)

    assert first == second == "signed in"


def test_the_lock_ends_when_the_oldest_failure_is_fifteen_minutes_old(ada: Caller) -> None:
    fail(5)
    SignInFailure.objects.update(created_at=timezone.now() - timedelta(minutes=14))

    almost = sign_in(Client(), "ada@example.org", PASSWORD)
    SignInFailure.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    after = sign_in(Client(), "ada@example.org", PASSWORD)

    assert "try again in 1 minute." in almost
    assert after == "signed in"


def test_emails_are_counted_whatever_their_case(ada: Caller) -> None:
    fail(3, "ADA@example.org")
    fail(2, "ada@Example.org")

    locked = sign_in(Client(), "ada@example.org", PASSWORD)

    assert "Too many attempts" in locked


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_every_sign_in_form_locks_after_five_failures(
    make_caller: Callable[..., Caller], page: str
) -> None:
    make_caller("ada", is_staff=True)
    fail(5, page=page)

    locked = sign_in(Client(), "ada@example.org", PASSWORD, page=page)

    assert "Too many attempts; try again in 15 minutes." in locked


def test_failures_on_the_admin_sign_in_count_for_the_site_sign_in(
    make_caller: Callable[..., Caller],
) -> None:
    make_caller("ada", is_staff=True)
    fail(3, page="/admin/login/")
    fail(2, page="/accounts/login/")

    for page in SIGN_IN_PAGES:
        assert "Too many attempts" in sign_in(Client(), "ada@example.org", PASSWORD, page=page)


def test_a_forged_forwarded_for_does_not_give_a_fresh_count(ada: Caller) -> None:
    for n in range(5):
        sign_in(Client(), "ada@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"172.16.0.{n}")

    locked = sign_in(Client(), "ada@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="172.16.9.9")

    assert "Too many attempts" in locked


@override_settings(TRUSTED_PROXIES=PROXY)
def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(ada: Caller) -> None:
    def through_proxy(password: str, client: str) -> str:
        # The proxy appends the address it was reached from to what the client sent.
        return sign_in(
            Client(), "ada@example.org", password, "192.168.1.10", HTTP_X_FORWARDED_FOR=client
        )

    for _ in range(5):
        through_proxy("wrong", "172.16.0.1, 10.9.9.9")

    assert "Too many attempts" in through_proxy(PASSWORD, "172.16.0.2, 10.9.9.9")
    assert through_proxy(PASSWORD, "10.9.9.8") == "signed in"
