"""``pluto serve`` as a real process: its log keeps no secrets, ``X-Forwarded-For`` and
``X-Forwarded-Proto`` count only from trusted proxies, and the API's rate limit is shared by
all its web processes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.analyses.processes import (
    PLUTO,
    Pluto,
    Processes,
    answers,
    environment,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.live

EMAIL = "ada@lab.org"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pluto]:
    """A migrated data directory with ada and her token; no server yet."""
    folder = tmp_path_factory.mktemp("serve-security")
    setup = Pluto(folder, environment(folder), "", Processes())
    setup.run("migrate")
    names = ["--first-name", "Ada", "--last-name", "Lovelace"]
    setup.run("user", "create", "--email", EMAIL, *names, "--password-stdin", stdin=PASSWORD + "\n")
    setup.key = setup.run("token", "create", "--user", EMAIL, "--name", "tests").strip()
    yield setup


@pytest.fixture
def serve(home: Pluto) -> Iterator[Any]:
    """Start ``pluto serve`` with extra settings (and ``--workers``); stopped after the test."""
    processes = Processes()
    home.processes = processes

    def start(workers: int = 1, **env: str) -> str:
        port = free_port()
        args = [str(PLUTO), "serve", "--no-migrate", "--no-worker", "--port", str(port)]
        process = processes.start(
            [*args, "--workers", str(workers)], {**home.env, **env}, home.home
        )
        home.url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(home.url, process), timeout=60)
        return home.url

    try:
        yield start
    finally:
        processes.stop_all()


def sign_in(url: str, password: str, forwarded_for: str) -> bool:
    """Post the sign-in form as a browser behind ``forwarded_for`` would; whether it let in."""
    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=10)
    form = {
        "username": EMAIL,
        "password": password,
        "csrfmiddlewaretoken": session.cookies["csrftoken"],
    }
    response = session.post(
        f"{url}/accounts/login/",
        data=form,
        headers={"X-Forwarded-For": forwarded_for},
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code == 302


def test_the_server_log_keeps_no_key_signed_link_or_upload_link(home: Pluto, serve: Any) -> None:
    serve()
    requests.get(f"{home.url}/lab/me/?token={home.key}", timeout=10)
    project = home.call("POST", "projects/", json={"name": "Logs"}).json()
    experiment = home.call(
        "POST",
        "experiments/",
        json={
            "project": project["pluto_id"],
            "name": "Logs",
            "type": "rnaseq",
            "organism": "human",
            "assay_data_units": "raw_counts",
        },
    ).json()["pluto_id"]
    body = b"protocol\n"
    session = home.call(
        "POST",
        f"experiments/{experiment}/upload-sessions/",
        json={
            "filename": "p.txt",
            "data_type": "attachment",
            "file_type": "txt",
            "file_size": len(body),
        },
    ).json()
    upload = requests.put(
        session["session_url"],
        data=body,
        headers={"Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}"},
        timeout=10,
    )
    link = home.call("GET", f"experiments/{experiment}/files/{upload.json()['uuid']}/download/")
    download = requests.get(link.json()["url"], timeout=10)
    home.processes.stop_all()
    log = home.logs()

    assert upload.status_code == 200 and download.content == body
    assert "GET /lab/me/?token=[redacted]" in log
    assert "PUT /uploads/[redacted]/" in log and "GET /files/signed/[redacted]/" in log
    assert home.key not in log
    for secret_url in (session["session_url"], link.json()["url"]):
        token = secret_url.rstrip("/").rsplit("/", 1)[-1]
        assert token not in log


def test_forwarded_for_from_an_untrusted_peer_buys_no_fresh_lockout(
    home: Pluto, serve: Any
) -> None:
    url = serve()
    for n in range(5):
        sign_in(url, "wrong password", f"203.0.113.{n}")

    assert not sign_in(url, PASSWORD, "203.0.113.99")


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(home: Pluto, serve: Any) -> None:
    url = serve(PLUTO_TRUSTED_PROXIES="127.0.0.1")
    for _ in range(5):
        sign_in(url, "wrong password", "203.0.113.7")

    assert not sign_in(url, PASSWORD, "203.0.113.7")
    assert sign_in(url, PASSWORD, "203.0.113.8")


def test_the_rate_limit_is_shared_by_every_web_process(home: Pluto, serve: Any) -> None:
    url = serve(workers=2, PLUTO_API_RATE_PER_KEY="5/minute")
    key = home.run("token", "create", "--user", EMAIL, "--name", "rate").strip()
    headers = {"Authorization": f"Token {key}", "Connection": "close"}
    # A new connection each time, so the requests spread over both processes.
    statuses = [requests.get(f"{url}/lab/me/", headers=headers, timeout=10) for _ in range(7)]

    assert [r.status_code for r in statuses][:5] == [200] * 5
    assert statuses[5].status_code == 429 and statuses[6].status_code == 429
    assert statuses[5].json()["code"] == "throttled"
    assert 0 < int(statuses[5].headers["Retry-After"]) <= 60


def test_concurrent_requests_on_both_processes_are_each_counted_once(
    home: Pluto, serve: Any
) -> None:
    # Eight at a time over two processes: the counts' writes take turns, none is lost.
    url = serve(workers=2, PLUTO_API_RATE_PER_KEY="30/minute")
    key = home.run("token", "create", "--user", EMAIL, "--name", "concurrent").strip()
    headers = {"Authorization": f"Token {key}", "Connection": "close"}

    def status(_: int) -> int:
        return requests.get(f"{url}/lab/me/", headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(status, range(40)))

    assert statuses.count(200) == 30
    assert statuses.count(429) == 10


def served_address(url: str) -> str:
    """The address the served R client names, asked for as if through an HTTPS proxy."""
    client = requests.get(f"{url}/sdk/pluto.R", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert client.status_code == 200
    return client.text


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(home: Pluto, serve: Any) -> None:
    url = serve()

    served = served_address(url)

    assert url in served
    assert url.replace("http://", "https://") not in served


def test_behind_a_trusted_proxy_the_forwarded_scheme_is_believed(home: Pluto, serve: Any) -> None:
    url = serve(PLUTO_TRUSTED_PROXIES="127.0.0.1")

    assert url.replace("http://", "https://") in served_address(url)
