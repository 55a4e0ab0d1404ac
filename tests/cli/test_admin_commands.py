"""The administrator's ``pluto user`` and ``pluto token`` commands, run as the real executable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from django.conf import settings

from pluto.cli.main import cli
from pluto.server.accounts import keys

PLUTO = Path(sys.executable).parent / "pluto"
KEY_PATTERN = re.compile(r"plut[0-9A-Za-z]{36}")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PASSWORD = "correct horse battery staple 42"

Result = subprocess.CompletedProcess[str]


@dataclass
class Pluto:
    """The ``pluto`` executable with a data directory of its own."""

    env: dict[str, str]
    home: Path

    def __call__(self, *args: str, stdin: str = "") -> Result:
        """Run ``pluto ARGS``, feeding ``stdin``; its exit status and output."""
        return subprocess.run(
            [str(PLUTO), *args],
            input=stdin,
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def all_at_once(self, commands: Sequence[Sequence[str]]) -> list[Result]:
        """Run several ``pluto`` commands in parallel; their results in the same order."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda args: self(*args), commands))

    def create_user(self, email: str, password: str = PASSWORD) -> Result:
        """``pluto user create`` with the password on standard input."""
        names = ["--first-name", "Ada", "--last-name", "Lovelace"]
        args = ["user", "create", "--email", email, *names, "--password-stdin"]
        return self(*args, stdin=password + "\n")


@pytest.fixture
def pluto(tmp_path: Path) -> Pluto:
    """``pluto`` in a fresh data directory; on the PostgreSQL pass, a fresh SQLite file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATA_DIR"] = str(tmp_path / "var")
    if "PLUTO_DATABASE_URL" in os.environ:
        env["PLUTO_DATABASE_URL"] = f"sqlite:///{tmp_path}/db.sqlite3"
    return Pluto(env=env, home=tmp_path)


def stored_bytes(directory: Path) -> bytes:
    """The contents of every file under ``directory`` (database, its journal, secrets)."""
    return b"".join(path.read_bytes() for path in directory.rglob("*") if path.is_file())


def stored_hash_of(key: str, data_dir: Path) -> str:
    """The keyed hash a server using ``data_dir``'s secret key stores for ``key``."""
    secret = (data_dir / "secret_key").read_text(encoding="utf-8").strip()
    return keys.hash_key(key, f"{settings.TOKEN_HASH_SALT}:{secret}")


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under ``group``, as argument lists."""
    context = click.Context(group)
    paths = [prefix]
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def test_user_commands_create_list_and_refuse_bad_accounts(pluto: Pluto) -> None:
    empty_list = pluto("user", "list")
    created = pluto.create_user("ada@lab.org")
    duplicate = pluto.create_user("ADA@lab.org")
    weak = pluto.create_user("grace@lab.org", password="password")
    listed = pluto("user", "list")

    assert (empty_list.returncode, empty_list.stdout) == (0, ""), empty_list.stderr
    assert created.returncode == 0, created.stderr
    assert "Created ada@lab.org (Ada Lovelace)." in created.stdout
    assert duplicate.returncode == weak.returncode == 1
    assert "ada@lab.org already exists" in duplicate.stderr
    assert "too common" in weak.stderr
    assert "Traceback" not in duplicate.stderr + weak.stderr
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == ["ada@lab.org\tAda Lovelace"]


def test_token_commands_create_list_and_delete(pluto: Pluto, tmp_path: Path) -> None:
    assert pluto.create_user("ada@lab.org").returncode == 0
    created = pluto(
        "token", "create", "--user", "ada@lab.org", "--name", "laptop", "--expires-in", "30"
    )
    key = created.stdout.strip()
    listed = pluto("token", "list", "--user", "ada@lab.org")
    no_such_user = pluto("token", "create", "--user", "nobody@lab.org", "--name", "laptop")

    assert created.returncode == 0, created.stderr
    assert created.stdout == key + "\n" and KEY_PATTERN.fullmatch(key)
    assert keys.is_well_formed(key)
    assert listed.returncode == 0
    assert "laptop" in listed.stdout and f"plut…{key[-4:]}" in listed.stdout
    assert "expires 20" in listed.stdout
    assert key not in listed.stdout + listed.stderr
    assert no_such_user.returncode == 1 and "nobody@lab.org" in no_such_user.stderr
    stored = stored_bytes(tmp_path)
    assert stored_hash_of(key, tmp_path / "var").encode() in stored
    assert key.encode() not in stored

    token_id = UUID_PATTERN.search(listed.stdout)
    assert token_id is not None
    deleted = pluto("token", "delete", token_id[0])
    deleted_again = pluto("token", "delete", token_id[0])

    assert deleted.returncode == 0, deleted.stderr
    assert "Deleted token 'laptop' of ada@lab.org." in deleted.stdout
    assert deleted_again.returncode == 1
    assert "No token has the id" in deleted_again.stderr
    assert "Traceback" not in deleted_again.stderr


def test_usage_errors_exit_with_status_2(pluto: Pluto) -> None:
    names = ["--first-name", "Ada", "--last-name", "Lovelace"]
    results = pluto.all_at_once(
        [
            ["token", "create", "--user", "ada@lab.org"],
            ["token", "create", "--user", "ada@lab.org", "--name", "x", "--expires-in", "0"],
            ["token", "create", "--user", "ada@lab.org", "--name", "x", "--expires-in", "soon"],
            ["token", "delete"],
            ["token", "list"],
            ["user", "create", "--email", "ada@lab.org"],
            ["user", "frobnicate"],
            ["user", "create", "--email", "ada@lab.org", *names, "--password-stdin"],
        ]
    )

    for result in results:
        assert result.returncode == 2, (result.args, result.stderr)
        assert "Usage:" in result.stderr or "Error:" in result.stderr, result.args
        assert "Traceback" not in result.stderr


def test_every_command_help_has_an_example(pluto: Pluto) -> None:
    paths = command_paths(cli)
    results = pluto.all_at_once([[*path, "--help"] for path in paths])

    assert {"user", "token"} <= {path[0] for path in paths if path}
    for path, result in zip(paths, results, strict=True):
        assert result.returncode == 0, (path, result.stderr)
        assert "Example" in result.stdout, f"pluto {' '.join(path)} --help has no example"
