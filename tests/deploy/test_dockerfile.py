"""deploy/Dockerfile installs Pluto with its server extra and starts a web node with a
command Pluto's CLI accepts; its image holds the pg_dump that `pluto backup` needs for
the compose file's PostgreSQL. (The image is not built here: no container registry.)"""

from __future__ import annotations

import json
import re

import pytest

from tests.deploy.deployment import (
    DOCKERFILE,
    compose_command,
    load_compose,
    mentioned_settings,
    pluto_argv,
    run_cli,
    settings_read_by_pluto,
)

# The PostgreSQL client of each Debian release the image may be based on.
DEBIAN_POSTGRESQL = {"bookworm": 15, "trixie": 17}


def instructions(name: str) -> list[str]:
    """The arguments of every instruction called ``name``, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.findall(rf"^{name}\s+(.+)$", text, re.MULTILINE)
    return [str(argument).strip() for argument in found]


def test_the_dockerfile_command_parses_with_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    (command,) = instructions("CMD")

    parsed = run_cli(pluto_argv(json.loads(command)), monkeypatch)

    assert parsed.path == ("serve",)
    assert parsed.params["no_worker"] is True and parsed.params["host"] == "0.0.0.0"


def test_the_dockerfile_installs_pluto_with_the_server_extra() -> None:
    installs = [run for run in instructions("RUN") if "pip install" in run]

    assert any('"/src[server]"' in run for run in installs)


def test_the_dockerfile_names_only_settings_pluto_reads() -> None:
    assert mentioned_settings(DOCKERFILE.read_text()) <= settings_read_by_pluto()


def test_the_image_can_back_up_the_compose_files_postgresql() -> None:
    bases = {base.split()[0] for base in instructions("FROM")}
    (release,) = {re.sub(r".*-", "", base) for base in bases}
    postgres = load_compose()["services"]["postgres"]["image"]

    assert "postgresql-client" in " ".join(instructions("RUN"))
    # pg_dump must be of the server's major version or newer.
    assert int(postgres.split(":")[1].split("-")[0]) <= DEBIAN_POSTGRESQL[release]
    assert compose_command(load_compose()["services"]["postgres"])[0] == "postgres"
