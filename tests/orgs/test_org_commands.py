"""The administrator's ``pluto org`` commands, run as the real executable on its own database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PLUTO = Path(sys.executable).parent / "pluto"
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PASSWORD = "correct horse battery staple 42"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def pluto(tmp_path: Path) -> Run:
    """``pluto ARGS`` in a fresh data directory, with two accounts made."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATA_DIR"] = str(tmp_path / "var")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        command = [str(PLUTO), *args]
        return subprocess.run(
            command, input=stdin, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    for first in ("Ada", "Grace"):
        email = f"{first.lower()}@lab.org"
        names = ["--first-name", first, "--last-name", "Tester", "--password-stdin"]
        made = run("user", "create", "--email", email, *names, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    return run


def test_org_create_list_and_add_member(pluto: Run) -> None:
    created = pluto("org", "create", "Tumour biology lab", "--admin", "ada@lab.org")
    assert created.returncode == 0, created.stderr
    uuid = created.stdout.strip()
    assert UUID_PATTERN.fullmatch(uuid)
    assert "with ada@lab.org as its admin" in created.stderr

    added = pluto("org", "add-member", "Tumour biology lab", "grace@lab.org", "--role", "guest")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "grace@lab.org is now guest of Tumour biology lab."

    listed = pluto("org", "list")
    assert listed.stdout.splitlines() == [f"{uuid}\tTumour biology lab\t2 members"]
    with_personal = pluto("org", "list", "--personal").stdout
    assert "Ada Tester (personal)\t1 members\tpersonal" in with_personal
    graces = pluto("org", "list", "--user", "grace@lab.org").stdout.splitlines()
    assert graces[-1] == f"{uuid}\tTumour biology lab\t2 members\tguest"
    members = pluto("org", "members", uuid).stdout.splitlines()
    assert members == ["ada@lab.org\tadmin", "grace@lab.org\tguest"]


def test_org_commands_refuse_with_a_clear_message(pluto: Run) -> None:
    pluto("org", "create", "Tumour biology lab", "--admin", "ada@lab.org")
    no_admin = pluto("org", "create", "Another lab", "--admin", "nobody@lab.org")
    no_name = pluto("org", "create", " ", "--admin", "ada@lab.org")
    no_org = pluto("org", "add-member", "No such lab", "grace@lab.org")
    twice = [pluto("org", "add-member", "Tumour biology lab", "grace@lab.org") for _ in "ab"][1]
    bad_role = pluto("org", "add-member", "Tumour biology lab", "grace@lab.org", "--role", "boss")

    assert no_admin.returncode == 1 and "nobody@lab.org" in no_admin.stderr
    assert no_name.returncode == 1 and "'name'" in no_name.stderr
    assert no_org.returncode == 1 and "No organization is called 'No such lab'" in no_org.stderr
    assert twice.returncode == 1 and "already in Tumour biology lab" in twice.stderr
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr
    outputs = no_admin.stderr + no_name.stderr + no_org.stderr + twice.stderr
    assert "Traceback" not in outputs
