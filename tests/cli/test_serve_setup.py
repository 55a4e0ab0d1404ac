"""``make serve``'s steps in a fresh data directory: set-up, then a real server that answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from pluto.server.lab.demo_cohorts import COHORTS
from pluto.server.pipelines.demo import EXPERIMENT_NAME as FASTQ_EXPERIMENT
from pluto.server.pipelines.peaks_demo import EXPERIMENT_NAME as PEAKS_EXPERIMENT

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str | None]:
    """On the PostgreSQL pass, an empty database of this test's own (its data directory is
    new too, and the two must start out together); None on the SQLite pass."""
    server_url = os.environ.get("PLUTO_DATABASE_URL")
    if not server_url:
        yield None
        return
    name = f"pluto_setup_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(
            server_url.replace("postgres://", "postgresql://"), autocommit=True
        ) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def fresh_env(
    tmp_path_factory: pytest.TempPathFactory, fresh_database: str | None
) -> dict[str, str]:
    """The environment of a newcomer: only a data directory (and database) of their own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATA_DIR"] = str(tmp_path_factory.mktemp("newcomer") / "var")
    if fresh_database:  # the PostgreSQL pass runs this against PostgreSQL
        env["PLUTO_DATABASE_URL"] = fresh_database
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within 60 s")


@pytest.fixture(scope="module")
def set_up(fresh_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``make setup``: migrations and the demo, as ``make serve`` runs them first."""
    return run(["make", "--no-print-directory", "setup"], fresh_env)


@pytest.fixture
def server(
    fresh_env: dict[str, str], set_up: subprocess.CompletedProcess[str]
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``pluto serve`` on a free port, stopped after the test."""
    assert set_up.returncode == 0, set_up.stderr
    port = free_port()
    args = [str(BIN / "pluto"), "serve", "--port", str(port), "--workers", "1", "--no-migrate"]
    process = subprocess.Popen(
        args, env=fresh_env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_setup_is_idempotent_and_the_server_answers_with_a_token(
    fresh_env: dict[str, str],
    set_up: subprocess.CompletedProcess[str],
    server: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = server
    make = set_up
    again = run([str(BIN / "pluto"), "demo"], fresh_env)
    key = run(
        [str(BIN / "pluto"), "token", "create", "--user", "demo@pluto.local", "--name", "t"],
        fresh_env,
    ).stdout.strip()
    password = (Path(fresh_env["PLUTO_DATA_DIR"]) / "demo-password").read_text().strip()

    wait_until_up(url, process)
    experiments = requests.get(
        f"{url}/lab/experiments/", headers={"Authorization": f"Token {key}"}, timeout=10
    )

    # The password is printed once, when it is made; a later run says where it is kept.
    assert again.returncode == 0 and password in make.stdout and password not in again.stdout
    assert "demo-password" in again.stdout
    assert experiments.status_code == 200
    # make setup runs pluto demo --pipelines: the FASTQ experiments come after the others.
    listed = experiments.json()["items"]
    assert [e["pluto_id"] for e in listed[:-2]] == [
        "PLX140206",
        *(cohort.pluto_id for cohort in COHORTS),
    ]
    assert [e["name"] for e in listed[-2:]] == [FASTQ_EXPERIMENT, PEAKS_EXPERIMENT]
    assert (
        requests.get(
            f"{url}/lab/projects/PLXP00286", headers={"Authorization": f"Token {key}"}, timeout=10
        ).json()["name"]
        == "Demo project"
    )
    assert requests.get(f"{url}/lab/projects/", timeout=10).status_code == 401


def test_serve_prints_the_url_the_demo_sign_in_and_how_to_make_a_token(
    fresh_env: dict[str, str], server: tuple[str, subprocess.Popen[str]]
) -> None:
    url, process = server
    password = (Path(fresh_env["PLUTO_DATA_DIR"]) / "demo-password").read_text().strip()
    wait_until_up(url, process)
    page = requests.get(f"{url}/account/", timeout=10, allow_redirects=False)
    process.terminate()
    output = process.communicate(timeout=20)[0]

    assert f"Pluto is running at {url}/" in output
    assert "demo@pluto.local" in output and "demo-password" in output
    assert password not in output
    assert "API token" in output
    assert page.status_code == 302 and "/accounts/login/?next=/account/" in page.headers["Location"]


def test_the_demo_experiment_has_its_tables_and_attachment(
    fresh_env: dict[str, str], server: tuple[str, subprocess.Popen[str]]
) -> None:
    url, process = server
    key = run(
        [str(BIN / "pluto"), "token", "create", "--user", "demo@pluto.local", "--name", "t"],
        fresh_env,
    ).stdout.strip()
    wait_until_up(url, process)
    headers = {"Authorization": f"Token {key}"}
    base = f"{url}/lab/experiments/PLX140206"

    samples = requests.get(f"{base}/sample-data/", headers=headers, timeout=30).json()
    page = requests.get(f"{base}/assay-data/?limit=10003", headers=headers, timeout=60).json()
    files = requests.get(f"{base}/files/", headers=headers, timeout=30).json()

    assert samples["count"] == 12 and len(samples["items"]) == 12
    assert samples["headers"] == ["sample_id", "condition", "replicate", "sex", "batch"]
    assert {row["condition"] for row in samples["items"]} == {"treated", "control"}
    assert page["count"] == 32544 and len(page["items"]) == 10003
    assert page["headers"][0] == "gene_symbol" and len(page["headers"]) == 13
    assert isinstance(page["items"][0][page["headers"][1]], int)
    assert [f["filename"] for f in files["attachments"]["items"]] == ["demo-protocol.txt"]
