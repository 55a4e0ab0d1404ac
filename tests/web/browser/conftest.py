"""A real Pluto server (``pluto serve`` with its worker, in a throw-away data directory) and
Debian's chromium driven by Playwright. Screenshots go to ``test-artifacts/screenshots/``.

These tests never skip: without chromium they fail, saying how to install it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).parents[3]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PLUTO = Path(sys.executable).with_name("pluto")
PASSWORD = "a long lab passphrase 31"
USERS = {"ada": ("ada@lab.test", "Ada", "Lovelace"), "bob": ("bob@lab.test", "Bob", "Viewer")}
START_SECONDS = 60


@dataclass(frozen=True)
class LiveServer:
    """The running server: its URL, the demo account's password and its environment (for
    ``pluto`` commands against its data directory)."""

    url: str
    demo_password: str
    env: dict[str, str]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(data: Path, url: str) -> dict[str, str]:
    """This process's environment without any ``PLUTO_`` setting (such as a PostgreSQL
    database of the test run), then the server's own data directory and URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUTO_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, "PLUTO_DATA_DIR": str(data), "PLUTO_PUBLIC_URL": url}


def pluto(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    """Run a ``pluto`` command against the test server's data directory."""
    subprocess.run(
        [str(PLUTO), *args],
        env=env,
        cwd=env["PLUTO_DATA_DIR"],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )


def prepare(env: dict[str, str]) -> None:
    """The demo experiment and two people with passwords."""
    pluto(env, "demo", "--no-pipelines")
    for email, first, last in USERS.values():
        pluto(
            env,
            "user",
            "create",
            "--email",
            email,
            "--first-name",
            first,
            "--last-name",
            last,
            "--password-stdin",
            stdin=f"{PASSWORD}\n",
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    """Wait for the sign-in page to answer, or fail with the server's exit."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pluto serve exited with {process.returncode}")
        try:
            if requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still starting
            pass
        time.sleep(0.3)
    pytest.fail(f"pluto serve did not answer within {START_SECONDS} s")


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``pluto serve`` (one web worker and its analysis worker) on a free port."""
    data = tmp_path_factory.mktemp("pluto-browser")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_environment(data, url)
    prepare(env)
    log = (data / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(PLUTO), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=data,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(url, process)
        yield LiveServer(url, (data / "demo-password").read_text().strip(), env)
    finally:
        # The server and the worker it started share one process group.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Install it with scripts/install-chromium (as root)."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    """A fresh browser window (no cookies) on the live server; confirmations are accepted."""
    context = browser.new_context(
        base_url=live.url, viewport={"width": 1280, "height": 860}, accept_downloads=True
    )
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"scripts failed on the page: {errors}"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/")


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def browser_page_pair(browser: Browser, live: LiveServer) -> Iterator[tuple[Page, Page]]:
    """Two windows with separate cookies: two people at once."""
    contexts = [browser.new_context(base_url=live.url) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    yield pages[0], pages[1]
    for context in contexts:
        context.close()
