"""The systemd units of deploy/systemd run commands Pluto's CLI accepts, as a dedicated user
with the shared settings file, restarted on failure and confined."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.deployment import UNITS, pluto_argv, read_unit, run_cli, unit_command

WEB = UNITS / "pluto-web.service"
WORKER = UNITS / "pluto-worker.service"
EXEC_KEYS = ("ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop")
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
}


def unit_paths() -> list[Path]:
    """Every unit file in deploy/systemd."""
    return sorted(UNITS.glob("*.service"))


def test_the_web_and_worker_units_exist() -> None:
    assert [path.name for path in unit_paths()] == ["pluto-web.service", "pluto-worker.service"]


@pytest.mark.parametrize("path", unit_paths(), ids=lambda path: path.name)
def test_every_unit_command_parses_with_the_cli(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = read_unit(path)["Service"]
    commands = [unit_command(service[key]) for key in EXEC_KEYS if key in service]

    assert commands, f"{path.name} runs nothing"
    for command in commands:
        run_cli(pluto_argv(command), monkeypatch)


def test_the_web_unit_serves_on_every_address_without_an_analysis_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed = run_cli(pluto_argv(unit_command(read_unit(WEB)["Service"]["ExecStart"])), monkeypatch)

    assert parsed.path == ("serve",)
    assert parsed.params["no_worker"] is True
    # Migrations are applied once (pluto migrate), not by every node as it starts.
    assert parsed.params["no_migrate"] is True
    assert parsed.params["host"] == "0.0.0.0"


def test_the_worker_unit_runs_analyses_several_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    command = unit_command(read_unit(WORKER)["Service"]["ExecStart"])
    parsed = run_cli(pluto_argv(command), monkeypatch)

    assert parsed.path == ("worker",)
    assert parsed.params["concurrency"] > 1


@pytest.mark.parametrize("path", unit_paths(), ids=lambda path: path.name)
def test_every_unit_runs_from_the_venv_as_the_pluto_user_with_the_shared_settings(
    path: Path,
) -> None:
    service = read_unit(path)["Service"]

    assert unit_command(service["ExecStart"])[0] == "/opt/pluto/venv/bin/pluto"
    assert (service["User"], service["Group"]) == ("pluto", "pluto")
    assert service["EnvironmentFile"] == "/etc/pluto/pluto.env"
    assert service["StateDirectory"] == "pluto"
    assert service["WorkingDirectory"] == "/var/lib/pluto"


@pytest.mark.parametrize("path", unit_paths(), ids=lambda path: path.name)
def test_every_unit_restarts_on_failure_and_lets_pluto_stop_its_children(path: Path) -> None:
    service = read_unit(path)["Service"]

    assert service["Restart"] == "on-failure"
    # SIGTERM to pluto only: it ends its web processes or gives running analyses back.
    assert service["KillMode"] == "mixed"
    assert read_unit(path)["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("path", unit_paths(), ids=lambda path: path.name)
def test_every_unit_is_confined(path: Path) -> None:
    service = read_unit(path)["Service"]

    assert {key: service.get(key) for key in HARDENING} == HARDENING


@pytest.mark.parametrize("path", unit_paths(), ids=lambda path: path.name)
def test_systemd_finds_nothing_wrong_in_a_unit_but_the_absent_installation(path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: install Debian's systemd package to check units.")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "/opt/pluto/venv/bin/pluto is not executable" not in line
    ]

    assert complaints == []
