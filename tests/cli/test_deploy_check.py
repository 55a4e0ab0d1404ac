"""Django's deployment checks (``pluto check --deploy``) on the settings of an HTTPS server."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

PLUTO = Path(sys.executable).parent / "pluto"


def check(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``pluto check`` in a fresh data directory with only these Pluto settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env.update(PLUTO_DATA_DIR=str(tmp_path / "data"), **variables)
    return subprocess.run(
        [str(PLUTO), "check", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_https_server_passes_the_deployment_check(tmp_path: Path) -> None:
    done = check(
        tmp_path,
        "--deploy",
        PLUTO_PUBLIC_URL="https://pluto.example.org",
        PLUTO_SECRET_KEY=secrets.token_urlsafe(48),
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_https_the_deployment_check_names_what_is_missing(tmp_path: Path) -> None:
    done = check(tmp_path, "--deploy", PLUTO_PUBLIC_URL="http://pluto.example.org")

    assert done.returncode == 1
    assert "SECURE_HSTS_SECONDS" in done.stderr and "SESSION_COOKIE_SECURE" in done.stderr


def test_a_short_secret_key_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    done = check(tmp_path, PLUTO_SECRET_KEY="k" * 40)

    assert done.returncode == 2
    assert "PLUTO_SECRET_KEY" in done.stderr and "50 characters" in done.stderr
