"""Settings from ``PLUTO_`` variables and ``.env``: strict parsing, defaults, the secret key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pluto.server.config import Config, ConfigError, Rate, load_config

PLUTO = Path(sys.executable).parent / "pluto"
LONG_SECRET = "pluto-secret-" * 4


def config(tmp_path: Path, **variables: str) -> Config:
    """The configuration for exactly these variables, with ``tmp_path`` as working directory."""
    environ = {"PLUTO_DATA_DIR": str(tmp_path / "data"), **variables}
    return load_config(environ=environ, cwd=tmp_path)


def refusal(tmp_path: Path, **variables: str) -> str:
    """The message of the ``ConfigError`` these variables cause."""
    with pytest.raises(ConfigError) as caught:
        config(tmp_path, **variables)
    return str(caught.value)


def test_defaults_need_no_variables(tmp_path: Path) -> None:
    loaded = load_config(environ={}, cwd=tmp_path)

    assert loaded.data_dir == tmp_path / "var" and loaded.data_dir.is_dir()
    assert loaded.database.engine == "django.db.backends.sqlite3"
    assert loaded.database.name == str(tmp_path / "var" / "pluto.sqlite3")
    assert (loaded.debug, loaded.allow_signup, loaded.public_url) == (False, False, "")
    assert loaded.signed_url_ttl == 3600


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("off", False)],
)
def test_yes_no_words_are_understood(tmp_path: Path, raw: str, expected: bool) -> None:
    assert config(tmp_path, PLUTO_DEBUG=raw).debug is expected
    assert config(tmp_path, PLUTO_ALLOW_SIGNUP=raw).allow_signup is expected


@pytest.mark.parametrize("name", ["PLUTO_DEBUG", "PLUTO_ALLOW_SIGNUP"])
@pytest.mark.parametrize("raw", ["maybe", "2", "enabled"])
def test_bad_yes_no_value_names_the_variable(tmp_path: Path, name: str, raw: str) -> None:
    message = refusal(tmp_path, **{name: raw})

    assert name in message and repr(raw) in message


def test_public_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    loaded = config(tmp_path, PLUTO_PUBLIC_URL="https://pluto.example.org/")

    assert loaded.public_url == "https://pluto.example.org"


@pytest.mark.parametrize("raw", ["pluto.example.org", "ftp://pluto.example.org", "https://"])
def test_bad_public_url_names_the_variable(tmp_path: Path, raw: str) -> None:
    assert "PLUTO_PUBLIC_URL" in refusal(tmp_path, PLUTO_PUBLIC_URL=raw)


def test_postgres_url_is_split_into_its_parts(tmp_path: Path) -> None:
    url = "postgres://pluto:p%40ss@db.example.org:5433/lab"

    database = config(tmp_path, PLUTO_DATABASE_URL=url).database

    assert database.engine == "django.db.backends.postgresql"
    assert (database.name, database.user, database.password) == ("lab", "pluto", "p@ss")
    assert (database.host, database.port) == ("db.example.org", "5433")


@pytest.mark.parametrize("slashes", ["//", "///"])
def test_sqlite_url_names_the_file(tmp_path: Path, slashes: str) -> None:
    url = f"sqlite:{slashes}{tmp_path}/lab.sqlite3"

    database = config(tmp_path, PLUTO_DATABASE_URL=url).database

    assert database.engine == "django.db.backends.sqlite3"
    assert database.name == str(tmp_path / "lab.sqlite3")


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://pluto@db.example.org/lab",
        "db.example.org/lab",
        "sqlite:///",
        "postgres://db.example.org/",
        "postgres://db.example.org:port/lab",
    ],
)
def test_bad_database_url_names_the_variable(tmp_path: Path, raw: str) -> None:
    assert "PLUTO_DATABASE_URL" in refusal(tmp_path, PLUTO_DATABASE_URL=raw)


@pytest.mark.parametrize("raw", ["s" * 31, "abcdefghij" * 4 + "abcdefghi", "ab" * 40])
def test_a_secret_key_django_would_call_weak_is_refused(tmp_path: Path, raw: str) -> None:
    # Django's deployment check wants 50 characters, 5 of them different.
    message = refusal(tmp_path, PLUTO_SECRET_KEY=raw)

    assert "PLUTO_SECRET_KEY" in message and "50 characters" in message


def test_given_secret_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    loaded = config(tmp_path, PLUTO_SECRET_KEY=LONG_SECRET)

    assert loaded.secret_key == LONG_SECRET
    assert not (loaded.data_dir / "secret_key").exists()


def test_secret_key_is_generated_once_into_a_private_file(tmp_path: Path) -> None:
    first = config(tmp_path)
    second = config(tmp_path)

    key_file = first.data_dir / "secret_key"
    assert len(first.secret_key) >= 50
    assert second.secret_key == first.secret_key
    assert key_file.read_text(encoding="utf-8").strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert config(tmp_path / "elsewhere").secret_key != first.secret_key


@pytest.mark.parametrize(
    "name", ["PLUTO_SIGNED_URL_TTL", "PLUTO_MAX_UPLOAD_BYTES", "PLUTO_MAX_JSON_BYTES"]
)
@pytest.mark.parametrize("raw", ["0", "-5", "ten", "1.5"])
def test_counts_must_be_positive_whole_numbers(tmp_path: Path, name: str, raw: str) -> None:
    message = refusal(tmp_path, **{name: raw})

    assert name in message and repr(raw) in message


def test_the_json_body_limit_is_ten_mib_unless_set(tmp_path: Path) -> None:
    assert config(tmp_path).max_json_bytes == 10 * 1024 * 1024
    assert config(tmp_path, PLUTO_MAX_JSON_BYTES="65536").max_json_bytes == 65536


def test_counts_accept_underscores(tmp_path: Path) -> None:
    assert config(tmp_path, PLUTO_SIGNED_URL_TTL="7_200").signed_url_ttl == 7200


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# instance settings\n"
        "\n"
        "PLUTO_DEBUG=true\n"
        "export PLUTO_PUBLIC_URL='https://pluto.example.org'\n"
        'PLUTO_SIGNED_URL_TTL="60"\n'
        "OTHER_TOOL_SETTING=ignored\n",
        encoding="utf-8",
    )

    loaded = config(tmp_path)

    assert loaded.debug is True
    assert loaded.public_url == "https://pluto.example.org"
    assert loaded.signed_url_ttl == 60


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PLUTO_DEBUG=true\nPLUTO_ALLOW_SIGNUP=on\n", encoding="utf-8")

    loaded = config(tmp_path, PLUTO_DEBUG="false")

    assert loaded.debug is False
    assert loaded.allow_signup is True


def test_bad_value_in_dotenv_names_the_variable(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PLUTO_DEBUG=maybe\n", encoding="utf-8")

    assert "PLUTO_DEBUG" in refusal(tmp_path)


def test_dotenv_line_without_equals_names_the_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PLUTO_DEBUG=true\nPLUTO_DEBUG\n", encoding="utf-8")

    assert "line 2" in refusal(tmp_path)


def test_relative_data_dir_is_under_the_working_directory(tmp_path: Path) -> None:
    loaded = load_config(environ={"PLUTO_DATA_DIR": "lab-data"}, cwd=tmp_path)

    assert loaded.data_dir == tmp_path / "lab-data" and loaded.data_dir.is_dir()


def test_data_dir_that_is_a_file_names_the_variable(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory", encoding="utf-8")

    assert "PLUTO_DATA_DIR" in refusal(tmp_path)


def test_bad_setting_stops_the_command_with_status_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env.update(PLUTO_DATA_DIR=str(tmp_path / "var"), PLUTO_DEBUG="maybe")

    result = subprocess.run(
        [str(PLUTO), "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 2
    assert "PLUTO_DEBUG" in result.stderr and "'maybe'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1200", Rate(1200, 60)), ("10/second", Rate(10, 1)), (" 5_000/HOUR ", Rate(5000, 3600))],
)
def test_api_rates_are_per_minute_unless_told(tmp_path: Path, raw: str, expected: Rate) -> None:
    assert config(tmp_path, PLUTO_API_RATE_PER_KEY=raw).api_rate_per_key == expected
    assert config(tmp_path, PLUTO_API_RATE_PER_ADDRESS=raw).api_rate_per_address == expected


def test_a_zero_rate_turns_the_limit_off_and_the_defaults_are_generous(tmp_path: Path) -> None:
    assert config(tmp_path, PLUTO_API_RATE_PER_KEY="0").api_rate_per_key is None
    assert config(tmp_path).api_rate_per_key == Rate(1200, 60)
    assert config(tmp_path).api_rate_per_address == Rate(3000, 60)


@pytest.mark.parametrize("name", ["PLUTO_API_RATE_PER_KEY", "PLUTO_API_RATE_PER_ADDRESS"])
@pytest.mark.parametrize("raw", ["lots", "-1", "10/fortnight", "1.5", "10/"])
def test_a_bad_rate_names_the_variable(tmp_path: Path, name: str, raw: str) -> None:
    message = refusal(tmp_path, **{name: raw})

    assert name in message and repr(raw) in message


def test_trusted_proxies_are_addresses_and_networks(tmp_path: Path) -> None:
    loaded = config(tmp_path, PLUTO_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,::1")

    assert [str(n) for n in loaded.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert config(tmp_path).trusted_proxies == ()


@pytest.mark.parametrize("raw", ["localhost", "10.0.0.0/33", "127.0.0.1; 10.0.0.1"])
def test_a_bad_trusted_proxy_names_the_variable(tmp_path: Path, raw: str) -> None:
    assert "PLUTO_TRUSTED_PROXIES" in refusal(tmp_path, PLUTO_TRUSTED_PROXIES=raw)


def test_allowed_hosts_come_from_the_public_url_and_the_extra_setting(tmp_path: Path) -> None:
    public = config(tmp_path, PLUTO_PUBLIC_URL="https://pluto.example.org:8443/")
    more = config(
        tmp_path,
        PLUTO_PUBLIC_URL="https://pluto.example.org",
        PLUTO_ALLOWED_HOSTS="pluto.internal, .lab.example.org",
    )

    assert public.allowed_hosts == ("pluto.example.org",)
    assert more.allowed_hosts == ("pluto.example.org", "pluto.internal", ".lab.example.org")
    assert config(tmp_path).allowed_hosts == ()


def test_the_sdk_upstream_index_defaults_to_pypi_and_gains_its_slash(tmp_path: Path) -> None:
    assert config(tmp_path).sdk_upstream_index == "https://pypi.org/simple/"
    mirror = config(tmp_path, PLUTO_SDK_UPSTREAM_INDEX="https://mirror.lab.org/pypi/simple")
    assert mirror.sdk_upstream_index == "https://mirror.lab.org/pypi/simple/"
    assert config(tmp_path, PLUTO_SDK_UPSTREAM_INDEX="none").sdk_upstream_index == ""


@pytest.mark.parametrize("raw", ["pypi.org/simple", "file:///opt/pypi/simple", "https://"])
def test_a_bad_sdk_upstream_index_names_the_variable(tmp_path: Path, raw: str) -> None:
    message = refusal(tmp_path, PLUTO_SDK_UPSTREAM_INDEX=raw)

    assert "PLUTO_SDK_UPSTREAM_INDEX" in message and repr(raw) in message
