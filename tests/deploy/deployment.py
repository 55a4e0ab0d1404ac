"""Reading the deployment files of ``deploy/`` as their consumers do, for the tests that keep
them in step with the code: systemd units, the env example, the compose file, nginx.conf.

``run_cli`` hands a command line to Pluto's own ``pluto`` command group with every command's
callback replaced by a recorder, so the real Click parser checks every option and value and
nothing is run."""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

import pluto.server.config
from pluto.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "pluto.env.example"
COMPOSE = DEPLOY / "compose.yaml"
NGINX_CONF = DEPLOY / "nginx.conf"
DOCKERFILE = DEPLOY / "Dockerfile"
SETTING_NAME = re.compile(r"^PLUTO_[A-Z0-9_]+$")
MENTIONED_SETTING = re.compile(r"\bPLUTO_[A-Z0-9_]+\b")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


@dataclass(frozen=True)
class Parsed:
    """A command line as Pluto's CLI understood it: the command's path and its values."""

    path: tuple[str, ...]
    params: dict[str, Any]


def leaf_commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of ``group`` and its subgroups that does something, with its path."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Parsed:
    """Parse ``argv`` (without the leading ``pluto``) with Pluto's CLI, running nothing.

    A bad option or value raises Click's own error, as ``pluto`` would report it."""
    seen: list[Parsed] = []
    for path, command in leaf_commands(cli):

        def record(path: tuple[str, ...] = path, **params: Any) -> None:
            seen.append(Parsed(path, params))

        monkeypatch.setattr(command, "callback", record)
    cli.main(argv, prog_name="pluto", standalone_mode=False)
    assert len(seen) == 1, f"pluto {shlex.join(argv)} ran no command"
    return seen[0]


def pluto_argv(command: list[str]) -> list[str]:
    """The arguments after the ``pluto`` program of a command line (a path to it or not)."""
    program, *argv = command
    assert Path(program).name == "pluto", f"not a pluto command: {shlex.join(command)}"
    return argv


def settings_read_by_pluto() -> set[str]:
    """Every ``PLUTO_`` variable the settings module reads: the names it passes as strings."""
    tree = ast.parse(Path(pluto.server.config.__file__).read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SETTING_NAME.match(node.value)
    }


def mentioned_settings(text: str) -> set[str]:
    """Every ``PLUTO_…`` name a file mentions, in settings and comments alike."""
    return set(MENTIONED_SETTING.findall(text))


def read_unit(path: Path) -> configparser.ConfigParser:
    """A systemd unit's sections and keys (names as written)."""
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return unit


def unit_command(value: str) -> list[str]:
    """An ``Exec…=`` line's command, without systemd's prefixes (``-``, ``@``, ``+``, ``!``)."""
    return shlex.split(value.lstrip("-@+!:"))


def read_env_file(path: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """An env file's settings, and its commented-out alternatives (``# NAME=value``)."""
    values: dict[str, str] = {}
    alternatives: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        commented = re.match(r"^#\s*([A-Z][A-Z0-9_]*)=(\S*)$", line)
        if commented:
            alternatives.append((commented.group(1), commented.group(2)))
        elif line.strip() and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: not a NAME=value line: {line!r}"
            values[name] = value
    return values, alternatives


def load_compose() -> dict[str, Any]:
    """The compose file, as YAML (merge keys resolved)."""
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def interpolate(value: Any, variables: Mapping[str, str]) -> Any:
    """``value`` with compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``
    filled in from ``variables``; a required one that is unset or empty raises."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def fill(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2) or "", match.group(3) or ""
        given = variables.get(name)
        unset = given is None or (operator.startswith(":") and not given)
        if unset and operator.endswith("?"):
            raise ValueError(f"{name} is required: {argument}")
        if unset and operator.endswith("-"):
            return argument
        return given or ""

    return INTERPOLATION.sub(fill, value)


def required_variables(text: str) -> set[str]:
    """The variables a compose file refuses to start without (``${NAME:?…}``)."""
    return {m.group(1) for m in INTERPOLATION.finditer(text) if (m.group(2) or "").endswith("?")}


def compose_command(service: Mapping[str, Any]) -> list[str]:
    """A service's command as a list (compose accepts a string too)."""
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def environment_of(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's ``environment`` as a mapping (compose accepts ``NAME=value`` items too)."""
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.partition("=")[::2] for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def nginx_block(text: str, header: str) -> str:
    """The body of the first ``header { … }`` block of an nginx configuration."""
    text = strip_nginx_comments(text)
    found = re.search(rf"(?<![\w$]){re.escape(header)}\s*\{{", text)
    assert found, f"no {header} block"
    start = found.end()
    depth, position = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        position += 1
    return text[start : position - 1]


def strip_nginx_comments(text: str) -> str:
    """An nginx configuration without its ``#`` comments."""
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def nginx_directives(body: str) -> list[tuple[str, ...]]:
    """The simple directives of a block's body (nested blocks left out), as word tuples."""
    statements: list[tuple[str, ...]] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if depth:
            depth += {"{": 1, "}": -1}.get(char, 0)
        elif char == "{":
            depth, current = 1, []
        elif char == ";":
            statements.append(tuple("".join(current).split()))
            current = []
        else:
            current.append(char)
    return statements
