"""Timeouts, retries and errors, against a real HTTP server that misbehaves on purpose."""

from __future__ import annotations

import logging
import socket
import time

import pytest

import pluto
from pluto.client.client import Client
from tests.client.conftest import FAKE_TOKEN
from tests.client.fake_server import FakePluto, Reply

ME = "/lab/me/"
USER = {"uuid": "u1", "email": "ada@example.org", "first_name": "Ada", "last_name": "Tester"}
OVERLOADED = {"code": "server_error", "message": "Busy.", "details": {}}


def test_a_get_is_retried_after_503_and_502(fake: FakePluto, fake_client: Client) -> None:
    fake.script("GET", ME, Reply(503, OVERLOADED), Reply(502, b"bad gateway"), Reply(200, USER))

    user = fake_client.me()

    assert user.name == "Ada Tester"
    assert len(fake.requests_to(ME)) == 3


def test_a_429_is_retried_after_the_time_retry_after_asks(
    fake: FakePluto, fake_client: Client
) -> None:
    throttled = {"code": "throttled", "message": "Slow down.", "details": {}}
    fake.script("GET", ME, Reply(429, throttled, {"Retry-After": "1"}), Reply(200, USER))

    started = time.monotonic()
    fake_client.me()

    assert time.monotonic() - started >= 1.0
    assert len(fake.requests_to(ME)) == 2


def test_when_retries_run_out_the_last_answer_is_the_error(fake: FakePluto) -> None:
    throttled = {"code": "throttled", "message": "Slow down.", "details": {}}
    fake.script("GET", ME, Reply(429, throttled, {"Retry-After": "0"}))

    with (
        Client(fake.url, FAKE_TOKEN, retries=1) as client,
        pytest.raises(pluto.RateLimited) as caught,
    ):
        client.me()

    assert caught.value.status == 429 and caught.value.retry_after == 0
    assert len(fake.requests_to(ME)) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_other_4xx_answers_are_not_retried(
    fake: FakePluto, fake_client: Client, status: int
) -> None:
    fake.script("GET", ME, Reply(status, {"code": "nope", "message": "No.", "details": {}}))

    with pytest.raises(pluto.PlutoError):
        fake_client.me()

    assert len(fake.requests_to(ME)) == 1


def test_a_post_is_not_repeated_after_a_503(fake: FakePluto, fake_client: Client) -> None:
    fake.script("POST", "/lab/projects/", Reply(503, OVERLOADED))

    with pytest.raises(pluto.ServerError):
        fake_client.create_project("Atlas")

    assert len(fake.requests_to("/lab/projects/")) == 1


def test_a_dropped_connection_on_a_get_is_retried(fake: FakePluto, fake_client: Client) -> None:
    fake.script("GET", ME, Reply(drop=True), Reply(200, USER))

    assert fake_client.me().email == "ada@example.org"
    assert len(fake.requests_to(ME)) == 2


def test_a_server_that_does_not_answer_in_time_is_a_connection_failure(fake: FakePluto) -> None:
    fake.script("GET", ME, Reply(200, USER, delay=1.0))

    client = Client(fake.url, FAKE_TOKEN, timeout=0.3, retries=0)
    with client, pytest.raises(pluto.ConnectionFailed, match="did not answer"):
        client.me()


def test_an_unreachable_server_is_a_connection_failure() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    client = Client(f"http://127.0.0.1:{port}", FAKE_TOKEN, retries=0)
    with client, pytest.raises(pluto.ConnectionFailed, match="Could not reach"):
        client.me()


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, pluto.InvalidRequest),
        (401, pluto.AuthenticationError),
        (403, pluto.PermissionDenied),
        (404, pluto.NotFound),
        (413, pluto.InvalidRequest),
        (500, pluto.ServerError),
    ],
)
def test_each_status_has_its_exception(
    fake: FakePluto, status: int, error_class: type[pluto.PlutoError]
) -> None:
    body = {"code": "some_code", "message": "Something.", "details": {"field": "name"}}
    fake.script("GET", ME, Reply(status, body))

    with Client(fake.url, FAKE_TOKEN, retries=0) as client, pytest.raises(error_class) as caught:
        client.me()

    assert isinstance(caught.value, pluto.PlutoError)
    assert (caught.value.status, caught.value.code) == (status, "some_code")
    assert caught.value.details == {"field": "name"}


def test_an_error_reads_as_one_helpful_line(fake: FakePluto, fake_client: Client) -> None:
    path = "/lab/experiments/PLX999999/"
    message = "Experiment PLX999999 was not found."
    fake.script("GET", path, Reply(404, {"code": "not_found", "message": message}))

    with pytest.raises(pluto.NotFound) as caught:
        fake_client.get_experiment("PLX999999")

    assert str(caught.value) == "404 not_found: Experiment PLX999999 was not found."


def test_an_error_without_the_pluto_body_still_says_what_happened(
    fake: FakePluto, fake_client: Client
) -> None:
    fake.script("GET", ME, Reply(418, b"<html>teapot</html>", {"Content-Type": "text/html"}))

    with pytest.raises(pluto.InvalidRequest) as caught:
        fake_client.me()

    assert str(caught.value).startswith("418 invalid: The server answered 418")
    assert "/lab/me/" in str(caught.value)


def test_the_token_never_shows_in_reprs_messages_or_logs(
    fake: FakePluto, fake_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    echoed = {"code": "authentication_failed", "message": f"Invalid token {FAKE_TOKEN}."}
    fake.script("GET", ME, Reply(401, echoed))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(pluto.AuthenticationError) as caught:
        fake_client.me()

    shown = [repr(fake_client), repr(fake_client.transport), str(caught.value), repr(caught.value)]
    shown += [record.getMessage() for record in caplog.records]
    assert repr(fake_client) == f"Client(url='{fake.url}')"
    assert not any(FAKE_TOKEN in text for text in shown)
    assert fake.requests_to(ME)[0].header("Authorization") == f"Token {FAKE_TOKEN}"
