"""API keys: their format and checksum, how they are stored, and how the API treats them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from pluto.server import urls as pluto_urls
from pluto.server.accounts import keys, services
from pluto.server.accounts.auth import api_user
from pluto.server.accounts.models import ApiToken
from tests.conftest import Caller, api_call

KEY_PATTERN = re.compile(r"plut[0-9A-Za-z]{36}")


def crash_after_sign_in(request: HttpRequest) -> HttpResponse:
    """An API route that authenticates its caller, then fails as a bug would."""
    api_user(request)
    raise RuntimeError("the results store is unreachable")


# A URLconf for one test: the real routes plus a route that crashes after authenticating.
urlpatterns = [path("lab/crash/", crash_after_sign_in), *pluto_urls.urlpatterns]
handler500 = pluto_urls.handler500


def with_one_character_changed(key: str, position: int) -> str:
    """``key`` with the character at ``position`` replaced by the next one of the alphabet."""
    replacement = keys.ALPHABET[(keys.ALPHABET.index(key[position]) + 1) % len(keys.ALPHABET)]
    return key[:position] + replacement + key[position + 1 :]


def single_character_typos(key: str) -> list[str]:
    """Every key one substituted character, or one adjacent swap, away from ``key``."""
    typos = [
        key[:i] + char + key[i + 1 :]
        for i in range(len(keys.KEY_PREFIX), len(key))
        for char in keys.ALPHABET
        if char != key[i]
    ]
    swaps = [
        key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        for i in range(len(key) - 1)
        if key[i] != key[i + 1]
    ]
    return typos + swaps


def me(key: str, scheme: str = "Token") -> Any:
    """``GET lab/me/`` with ``key`` in the Authorization header."""
    return api_call(Client(), "GET", "/lab/me/", HTTP_AUTHORIZATION=f"{scheme} {key}")


def stored_last_used(caller: Caller) -> datetime | None:
    """The ``last_used_at`` of the caller's one token, as stored."""
    return ApiToken.objects.get(user=caller.user).last_used_at


def token_writes(queries: CaptureQueriesContext) -> list[str]:
    """The UPDATE statements on the token table among ``queries``."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
    ]


def test_generated_keys_are_40_letters_and_digits_with_the_prefix() -> None:
    generated = [keys.generate_key() for _ in range(200)]

    assert all(KEY_PATTERN.fullmatch(key) for key in generated)
    assert all(keys.is_well_formed(key) for key in generated)
    assert len(set(generated)) == len(generated)


def test_every_one_character_typo_fails_the_checksum() -> None:
    for _ in range(20):
        key = keys.generate_key()
        missed = [typo for typo in single_character_typos(key) if keys.is_well_formed(typo)]
        assert missed == [], key


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "plut",
        keys.generate_key()[:-1],
        keys.generate_key() + "0",
        "abcd" + keys.generate_key()[4:],
        keys.generate_key()[:39] + "-",
        keys.generate_key()[:20] + "é" + keys.generate_key()[21:],
    ],
)
def test_keys_of_the_wrong_shape_are_not_well_formed(candidate: str) -> None:
    assert not keys.is_well_formed(candidate)


def test_only_a_keyed_hash_of_the_key_is_stored(ada: Caller) -> None:
    row = ApiToken.objects.filter(user=ada.user).values().get()
    secret = services.token_secret().encode()
    expected_hash = hmac.new(secret, ada.key.encode(), hashlib.sha256).hexdigest()

    assert row["key_hash"] == expected_hash
    assert row["key_hash"] != hashlib.sha256(ada.key.encode()).hexdigest()
    assert not any(ada.key in str(value) for value in row.values())
    assert (row["prefix"], row["last_four"]) == ("plut", ada.key[-4:])
    assert ApiToken.objects.get(user=ada.user).masked == f"plut…{ada.key[-4:]}"


def test_token_and_bearer_schemes_both_authenticate(ada: Caller) -> None:
    as_token = me(ada.key, "Token")
    as_bearer = me(ada.key, "Bearer")

    assert as_token.status_code == as_bearer.status_code == 200
    assert as_token.data["email"] == as_bearer.data["email"] == "ada@example.org"


def test_request_without_a_key_is_not_authenticated(db: None) -> None:
    response = api_call(Client(), "GET", "/lab/me/")

    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Basic YWRhOnB3", "Token", "Token    "])
def test_malformed_authorization_header_is_refused(db: None, header: str) -> None:
    response = api_call(Client(), "GET", "/lab/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_mistyped_key_is_refused_without_a_database_query(
    ada: Caller, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    typo = with_one_character_changed(ada.key, 17)

    with django_assert_num_queries(0):
        response = me(typo)

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_well_formed_unknown_key_is_refused_after_a_look_up(
    ada: Caller, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        response = me(keys.generate_key())

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_expired_token_is_refused(ada: Caller) -> None:
    ApiToken.objects.filter(user=ada.user).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = me(ada.key)

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"
    assert "expired" in response.data["message"]


def test_token_with_a_future_expiry_works(ada: Caller) -> None:
    new = services.create_token(ada.user, "for a week", expires_in_days=7)

    assert me(new.key).status_code == 200


def test_token_of_an_inactive_user_is_refused(ada: Caller) -> None:
    ada.user.is_active = False
    ada.user.save()

    response = me(ada.key)

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_deleted_token_is_refused_at_once(ada: Caller) -> None:
    assert me(ada.key).status_code == 200
    services.delete_token(ApiToken.objects.get(user=ada.user).uuid, ada.user)

    response = me(ada.key)

    assert response.status_code == 401
    assert response.data["code"] == "authentication_failed"


def test_last_used_is_recorded_on_use(ada: Caller) -> None:
    assert stored_last_used(ada) is None
    before = timezone.now()

    assert me(ada.key).status_code == 200

    last_used = stored_last_used(ada)
    assert last_used is not None and before <= last_used <= timezone.now()


def test_last_used_is_written_at_most_once_a_minute(ada: Caller) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert me(ada.key).status_code == 200
        first = stored_last_used(ada)
        assert me(ada.key).status_code == 200

    assert len(token_writes(queries)) == 1
    assert first is not None and stored_last_used(ada) == first

    moved_back = first - timedelta(minutes=1, seconds=5)
    ApiToken.objects.filter(user=ada.user).update(last_used_at=moved_back)
    assert me(ada.key).status_code == 200

    refreshed = stored_last_used(ada)
    assert refreshed is not None and refreshed >= first


def test_a_key_cannot_create_another_key(ada: Caller) -> None:
    response = ada.client.post(
        "/account/tokens/", {"name": "minted by a script"}, HTTP_AUTHORIZATION=f"Token {ada.key}"
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert ApiToken.objects.filter(user=ada.user).count() == 1


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG level, captured."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """The formatted log output and every attribute of every record, as one text."""
    records = " ".join(repr(vars(record)) for record in caplog.records)
    return caplog.text + records


@override_settings(ROOT_URLCONF=__name__)
def test_keys_never_appear_in_logs(ada: Caller, all_logs: pytest.LogCaptureFixture) -> None:
    typo = with_one_character_changed(ada.key, 30)
    crashing = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Token {ada.key}"}

    with CaptureQueriesContext(connection):
        served = me(ada.key)
        refused = me(typo)
        crashed = api_call(crashing, "GET", "/lab/crash/", **headers)

    assert (served.status_code, refused.status_code, crashed.status_code) == (200, 401, 500)
    assert crashed.data["code"] == "server_error"
    logged = everything_logged(all_logs)
    assert "accounts_apitoken" in logged  # the SQL of the look-ups was captured
    assert "Unauthorized: /lab/me/" in logged
    assert "the results store is unreachable" in logged
    assert ada.key not in logged
    assert typo not in logged
