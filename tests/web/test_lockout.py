"""Signing in: errors, and the lockout after repeated failures for one email and address."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from pluto.server.web.models import SignInFailure
from tests.conftest import PASSWORD, Caller
from tests.web.conftest import html


def sign_in(client: Client, email: str, password: str, address: str = "10.0.0.1") -> str:
    response = client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )
    return "signed in" if response.status_code == 302 else html(response)


def fail(times: int, email: str = "ada@example.org", address: str = "10.0.0.1") -> str:
    page = ""
    for _ in range(times):
        page = sign_in(Client(), email, "wrong password", address)
    return page


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
