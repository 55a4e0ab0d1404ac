"""Where the SDK and the command line find the server URL and the API token.

Order, first found wins: the value passed in code, the environment (``PLUTO_API_URL``,
``PLUTO_API_TOKEN``), a ``.env`` file in the working directory, then the file ``pluto login``
writes (``~/.config/pluto/config.json``, or ``$PLUTO_CONFIG_DIR/config.json``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pluto.client.errors import AuthenticationError

DEFAULT_URL = "http://127.0.0.1:8000"
URL_VARIABLE = "PLUTO_API_URL"
TOKEN_VARIABLE = "PLUTO_API_TOKEN"
CONFIG_DIR_VARIABLE = "PLUTO_CONFIG_DIR"


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (``export``, quotes and comments allowed)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for line in lines:
        line = line.strip().removeprefix("export ").strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = unquote(value.strip())
    return values


def unquote(value: str) -> str:
    """A ``.env`` value without its surrounding quotes or trailing comment."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].strip()


def config_dir() -> Path:
    """The folder holding ``config.json``."""
    explicit = os.environ.get(CONFIG_DIR_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "pluto"


def config_path() -> Path:
    """The file ``pluto login`` writes."""
    return config_dir() / "config.json"


def read_config() -> dict[str, Any]:
    """The saved login, or an empty dict when there is none or it cannot be read."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_config(url: str, token: str) -> Path:
    """Store the URL and token in a file only the user can read (mode 0600); its path."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"url": url, "token": token}, file, indent=2)
    os.chmod(path, 0o600)  # an older file may have been created with wider permissions
    return path


def setting(explicit: str | None, variable: str, config_key: str) -> str | None:
    """The first value found: passed in, environment, ``.env``, saved login."""
    candidates = (
        explicit,
        os.environ.get(variable),
        read_dotenv(Path.cwd() / ".env").get(variable),
        read_config().get(config_key),
    )
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def resolve_url(url: str | None = None) -> str:
    """The server's base URL, without a trailing slash or ``/lab``."""
    found = setting(url, URL_VARIABLE, "url") or DEFAULT_URL
    return found.rstrip("/").removesuffix("/lab")


def resolve_token(token: str | None, url: str) -> str:
    """The API token, or an error that says how to create one and where to put it."""
    found = setting(token, TOKEN_VARIABLE, "token")
    if found is None:
        raise AuthenticationError(missing_token_message(url), code="missing_token")
    return found


def missing_token_message(url: str) -> str:
    """How to get a token and where the SDK looks for it."""
    return (
        f"No Pluto API token found. Create one on the Account page ({url}/account/, "
        "click '+ API token'), then put it in the PLUTO_API_TOKEN environment variable or "
        "in a .env file in your working directory (PLUTO_API_TOKEN=<your token>), "
        "run 'pluto login', or pass token=... ."
    )
