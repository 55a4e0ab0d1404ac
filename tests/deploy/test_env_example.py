"""deploy/pluto.env.example names only settings Pluto reads, with values it accepts, and
every one a scaled-out installation needs."""

from __future__ import annotations

import inspect
import re
import secrets
from pathlib import Path

import botocore.configprovider
import botocore.credentials
import pytest

from pluto.server.config import ConfigError, load_config
from tests.deploy.deployment import (
    ENV_EXAMPLE,
    mentioned_settings,
    read_env_file,
    settings_read_by_pluto,
)

SCALED_OUT = {
    "PLUTO_DATA_DIR",
    "PLUTO_DATABASE_URL",
    "PLUTO_STORAGE_URL",
    "PLUTO_SECRET_KEY",
    "PLUTO_PUBLIC_URL",
    "PLUTO_ALLOWED_HOSTS",
    "PLUTO_TRUSTED_PROXIES",
}
AWS_NAME = re.compile(r"\bAWS_[A-Z0-9_]+\b")


def aws_names_boto_reads() -> str:
    """The source of botocore's credential and configuration lookups."""
    return inspect.getsource(botocore.credentials) + inspect.getsource(botocore.configprovider)


def example_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The example's settings with the data directory in ``tmp_path``."""
    values, _ = read_env_file(ENV_EXAMPLE)
    return {**values, "PLUTO_DATA_DIR": str(tmp_path / "data"), **overrides}


def test_every_setting_the_env_example_names_is_one_pluto_reads() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")

    assert mentioned_settings(text) - settings_read_by_pluto() == set()


def test_every_aws_setting_the_env_example_names_is_one_boto_reads() -> None:
    names = set(AWS_NAME.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    source = aws_names_boto_reads()

    assert names
    assert {name for name in names if f"'{name}'" not in source} == set()


def test_the_env_example_sets_every_setting_a_scaled_out_install_needs() -> None:
    values, _ = read_env_file(ENV_EXAMPLE)

    assert set(values) >= SCALED_OUT
    assert values["PLUTO_DATABASE_URL"].startswith("postgres://")
    assert values["PLUTO_STORAGE_URL"].startswith("s3://")


def test_the_env_example_reads_alike_under_systemd_compose_and_pluto() -> None:
    values, _ = read_env_file(ENV_EXAMPLE)

    # No quoting, expansion or escapes, which the three readers treat differently.
    assert {name: v for name, v in values.items() if re.search(r"[\"'$\\\s]", v)} == {}


def test_the_env_example_is_accepted_by_pluto_once_its_secret_key_is_set(
    tmp_path: Path,
) -> None:
    key = secrets.token_urlsafe(48)

    config = load_config(example_environment(tmp_path, PLUTO_SECRET_KEY=key), cwd=tmp_path)

    assert config.database.engine == "django.db.backends.postgresql"
    assert config.storage.is_s3
    assert config.secret_key == key
    assert config.public_url.startswith("https://")
    assert config.trusted_proxies


def test_the_env_example_refuses_to_start_with_its_placeholder_secret_key(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="PLUTO_SECRET_KEY"):
        load_config(example_environment(tmp_path), cwd=tmp_path)


def test_every_commented_alternative_in_the_env_example_is_accepted_too(
    tmp_path: Path,
) -> None:
    _, alternatives = read_env_file(ENV_EXAMPLE)
    key = secrets.token_urlsafe(48)

    assert alternatives
    for name, value in alternatives:
        environment = example_environment(tmp_path, PLUTO_SECRET_KEY=key, **{name: value})
        load_config(environment, cwd=tmp_path)
