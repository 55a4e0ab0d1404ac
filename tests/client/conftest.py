"""Fixtures for SDK and command-line tests: a clean environment, a fake and a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pluto.client.client import Client
from pluto.server.lab.models import Experiment
from tests.client.fake_server import FakePluto
from tests.conftest import Caller, make_experiment, make_project

FAKE_TOKEN = "PLTOfaketoken0000000000000000000000000x1"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No URL, token or cache from the machine running the tests; an empty working folder."""
    for variable in ("PLUTO_API_URL", "PLUTO_API_TOKEN", "PLUTO_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PLUTO_CONFIG_DIR", str(tmp_path / "config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work


@pytest.fixture
def fake() -> Iterator[FakePluto]:
    """A fake Pluto-only server on 127.0.0.1."""
    with FakePluto() as server:
        yield server


@pytest.fixture
def fake_client(fake: FakePluto) -> Iterator[Client]:
    """A client of the fake server with small pages so paging shows on small tables."""
    with Client(fake.url, FAKE_TOKEN, timeout=5, retries=3) as client:
        yield client


@pytest.fixture
def sdk(live_server: Any, ada: Caller) -> Iterator[Client]:
    """A client of the live server, acting as ada."""
    with Client(live_server.url, ada.key, timeout=20, retries=2) as client:
        yield client


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """An experiment owned by ada."""
    return make_experiment(ada.user, make_project(ada.user, "Organoids"), "Knockdown RNA-seq")
