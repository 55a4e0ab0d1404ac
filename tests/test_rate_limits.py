"""API rate limits per key and per address: 429 throttled with Retry-After, then a reset."""

from __future__ import annotations

import time

from django.test import Client, override_settings

from pluto.server.accounts import services as accounts
from pluto.server.config import Rate
from tests.conftest import Caller


def me(caller: Caller, address: str = "10.1.1.1", **headers: str) -> int:
    return int(caller.call("GET", "/lab/me/", REMOTE_ADDR=address, **headers).status_code)


# A window of a few seconds, so a busy machine still makes the four requests inside it.
@override_settings(API_RATE_PER_KEY=Rate(3, 4))
def test_a_key_over_its_limit_is_throttled_until_the_window_passes(ada: Caller) -> None:
    allowed = [me(ada) for _ in range(3)]
    refused = ada.call("GET", "/lab/me/", REMOTE_ADDR="10.1.1.1")
    retry_after = int(refused["Retry-After"])
    time.sleep(retry_after)
    again = me(ada)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.data["code"] == "throttled"
    assert 1 <= retry_after <= 4 and refused.data["details"]["retry_after"] == retry_after
    assert f"try again in {retry_after} second" in refused.data["message"]
    assert again == 200


@override_settings(API_RATE_PER_KEY=Rate(2, 60))
def test_each_key_has_its_own_count(ada: Caller) -> None:
    for _ in range(2):
        me(ada)
    second_key = Caller(ada.user, accounts.create_token(ada.user, "second").key, Client())

    assert me(ada) == 429
    assert me(second_key) == 200


@override_settings(API_RATE_PER_ADDRESS=Rate(3, 60))
def test_an_address_is_limited_whatever_keys_it_sends(ada: Caller, bob: Caller) -> None:
    statuses = [me(ada), me(bob), me(ada), me(bob)]

    assert statuses == [200, 200, 200, 429]
    assert me(bob, address="10.1.1.2") == 200


@override_settings(API_RATE_PER_ADDRESS=Rate(3, 60))
def test_a_forged_forwarded_for_does_not_reset_the_address_count(ada: Caller) -> None:
    statuses = [me(ada, HTTP_X_FORWARDED_FOR=f"172.16.0.{n}") for n in range(4)]

    assert statuses == [200, 200, 200, 429]


@override_settings(API_RATE_PER_KEY=None, API_RATE_PER_ADDRESS=None)
def test_limits_set_to_zero_let_everything_through(ada: Caller) -> None:
    assert {me(ada) for _ in range(30)} == {200}


def test_the_default_limits_let_a_script_page_through_a_big_table(ada: Caller) -> None:
    # A 60,000-row table read 500 rows a page is 120 requests within seconds (the SDK asks
    # for 10,000 a page, so 6).
    assert {me(ada) for _ in range(120)} == {200}
