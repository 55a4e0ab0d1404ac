"""Where the SDK finds the server and the token, and what it says when there is no token."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import pluto
from pluto.client.config import config_path, resolve_token, resolve_url, save_config


def test_the_url_defaults_to_the_local_server() -> None:
    assert resolve_url() == "http://127.0.0.1:8000"


def test_the_url_comes_from_the_environment_without_trailing_slash_or_lab(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLUTO_API_URL", "https://pluto.example.org/lab/")

    assert resolve_url() == "https://pluto.example.org"
    assert resolve_url("http://other:9000/") == "http://other:9000"


def test_the_token_comes_from_a_dotenv_file_in_the_working_folder(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        "# secrets\nexport PLUTO_API_TOKEN='fromdotenv'\nPLUTO_API_URL=http://lab:8000 # ours\n"
    )

    assert resolve_token(None, "http://x") == "fromdotenv"
    assert resolve_url() == "http://lab:8000"


def test_the_environment_wins_over_dotenv_and_the_saved_login(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_config("http://saved:8000", "fromconfig")
    assert resolve_token(None, "http://x") == "fromconfig"
    assert resolve_url() == "http://saved:8000"
    (clean_environment / ".env").write_text("PLUTO_API_TOKEN=fromdotenv\n")
    assert resolve_token(None, "http://x") == "fromdotenv"
    monkeypatch.setenv("PLUTO_API_TOKEN", "fromenv")

    assert resolve_token(None, "http://x") == "fromenv"
    assert resolve_token("passed", "http://x") == "passed"


def test_the_saved_login_is_readable_only_by_its_owner() -> None:
    path = save_config("http://saved:8000", "secret")

    assert path == config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_token_says_how_to_create_one_and_where_to_put_it() -> None:
    with pytest.raises(pluto.AuthenticationError) as caught:
        pluto.read("PLX140206", "sample", url="http://pluto.example.org")

    message = str(caught.value)
    assert "http://pluto.example.org/account/" in message
    assert "+ API token" in message
    assert "PLUTO_API_TOKEN" in message and ".env" in message
    assert caught.value.code == "missing_token"
