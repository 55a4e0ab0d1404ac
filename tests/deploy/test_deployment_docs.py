"""docs/deployment.md points at every file of deploy/, its commands are ones Pluto's CLI
accepts, and its recipe for the compose secrets sets every one compose asks for."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.deploy.deployment import COMPOSE, DEPLOY, REPO, required_variables, run_cli

GUIDE = REPO / "docs" / "deployment.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
# What the guide runs pluto through: a path to it, or the wrappers it defines.
WRAPPERS = {"pluto_as_service"}


def shell_lines() -> list[str]:
    """Every command line of the guide's sh blocks, continuation lines joined."""
    blocks = [code for language, code in FENCE.findall(GUIDE.read_text()) if language == "sh"]
    joined = "\n".join(blocks).replace("\\\n", " ")
    return [line.split(" #", 1)[0].strip() for line in joined.splitlines()]


def pluto_commands() -> list[list[str]]:
    """The arguments of every ``pluto`` command the guide's shell blocks run: the program
    after any ``NAME=value`` settings, or the one ``docker compose run`` gives a service."""
    commands = []
    for line in shell_lines():
        words = shlex.split(line.replace("$(date +%F)", "2026-12-03"), comments=True)
        while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
            words = words[1:]
        if words[:3] == ["docker", "compose", "run"] and "pluto" in words:
            words = words[words.index("pluto") :]
        if words[:1] == ["scripts/with-s3"]:
            words = words[1:]
        is_pluto = words and (words[0] in {"pluto", *WRAPPERS} or words[0].endswith("/pluto"))
        if is_pluto and words[1:] != ["$@"]:
            commands.append(words[1:])
    return commands


def deploy_files() -> list[str]:
    """Every file of deploy/ an operator uses, by its path in the repository."""
    paths = [p for p in DEPLOY.rglob("*") if p.is_file() and p.suffix != ".dockerignore"]
    return sorted(str(p.relative_to(REPO)) for p in paths)


def test_the_deployment_guide_points_at_every_deploy_file() -> None:
    text = GUIDE.read_text()

    assert [path for path in deploy_files() if f"../{path}" not in text] == []


def test_the_readme_points_at_the_deploy_files_and_the_guide() -> None:
    readme = (REPO / "README.md").read_text()

    assert "`deploy/`: see [docs/deployment.md](docs/deployment.md#running-it-with-systemd)" in (
        readme.replace("\n", " ")
    )
    assert "## Running it with systemd" in GUIDE.read_text()


@pytest.mark.parametrize("argv", pluto_commands(), ids=shlex.join)
def test_every_pluto_command_in_the_deployment_guide_parses_with_the_cli(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The guide's folders (a backup to restore) made in tmp_path, as on the reader's machine.
    local = [str(tmp_path / word.lstrip("/")) if word.startswith("/") else word for word in argv]
    for word, path in zip(argv, local, strict=True):
        if word.startswith("/"):
            Path(path).mkdir(parents=True, exist_ok=True)

    run_cli(local, monkeypatch)


def test_the_guide_makes_every_secret_compose_asks_for() -> None:
    made = {
        match.group(1)
        for line in shell_lines()
        if (match := re.match(r"^([A-Z][A-Z0-9_]*)=\S*\$\(secret ", line))
    }

    assert made == required_variables(COMPOSE.read_text())
