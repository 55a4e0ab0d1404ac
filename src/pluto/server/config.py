"""Settings read once from ``PLUTO_``-prefixed environment variables and an optional ``.env``.

Every value is parsed strictly: a bad value raises :class:`ConfigError` naming the
variable, and start-up stops with that message.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
# Django's own deployment check asks the same of a secret key.
MIN_SECRET_LENGTH = 50
MIN_SECRET_CHARACTERS = 5
RATE = re.compile(r"^(\d+)(?:/(second|minute|hour|day))?$")
PERIOD_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FALSE_WORDS = {"0", "false", "no", "off", ""}
# Count matrices compress three to ten times with gzip; a bigger ratio is a bomb, not data.
UNPACKED_PER_UPLOAD = 10


class ConfigError(Exception):
    """A setting has a value Pluto cannot use; the message names the variable."""


@dataclass(frozen=True)
class DatabaseConfig:
    """Where the SQL database lives, as Django's ``DATABASES['default']`` wants it."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    def as_django(self) -> dict[str, object]:
        """The dict for ``DATABASES['default']``."""
        entry: dict[str, object] = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
        }
        if self.engine.endswith("sqlite3"):
            entry["OPTIONS"] = {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        # A request reuses its thread's connection (its pragmas set once) rather than
        # opening one, which cost a 1-row page a third of its time on SQLite.
        entry["CONN_MAX_AGE"] = 60
        entry["CONN_HEALTH_CHECKS"] = True
        return entry


@dataclass(frozen=True)
class StorageConfig:
    """Where stored objects live: a local folder (``root``) or an S3 bucket and prefix."""

    root: Path | None = None
    bucket: str = ""
    prefix: str = ""
    # endpoint_url, region, access_key_id, secret_access_key, addressing_style,
    # presign_endpoint_url: the URL's query parameters, as (name, value) pairs.
    options: tuple[tuple[str, str], ...] = ()

    @property
    def is_s3(self) -> bool:
        """Whether the objects live in S3."""
        return bool(self.bucket)

    def option(self, name: str) -> str:
        """One query parameter of the URL ('' when absent)."""
        return dict(self.options).get(name, "")


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` in any ``seconds``-long stretch."""

    requests: int
    seconds: int


@dataclass(frozen=True)
class Config:
    """Every setting of the server, parsed."""

    data_dir: Path
    database: DatabaseConfig
    secret_key: str
    public_url: str
    allow_signup: bool
    debug: bool
    signed_url_ttl: int
    max_upload_bytes: int
    max_json_bytes: int
    max_unpacked_bytes: int
    upload_session_ttl: int
    job_heartbeat_seconds: int
    job_timeout_seconds: int
    job_max_attempts: int
    temp_file_max_age: int
    trusted_proxies: tuple[Network, ...]
    allowed_hosts: tuple[str, ...]
    api_rate_per_key: Rate | None
    api_rate_per_address: Rate | None
    sdk_upstream_index: str
    storage: StorageConfig
    # Threads each pipeline tool (fastp, salmon) may use; bounds a run's share of the machine.
    pipeline_threads: int = 2


def read_dotenv(path: Path) -> dict[str, str]:
    """Read ``KEY=value`` lines of a ``.env`` file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}, line {number}: expected KEY=value, got {raw!r}")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def merged_environment(environ: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """The environment, with ``.env`` values filling in what it does not set."""
    merged = {k: v for k, v in read_dotenv(cwd / ".env").items() if k.startswith("PLUTO_")}
    merged.update({k: v for k, v in environ.items() if k.startswith("PLUTO_")})
    return merged


def parse_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable; anything but the usual words is an error naming it."""
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false (got {raw!r}).")


def parse_positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number above zero; anything else is an error naming the variable."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number (got {raw!r}).") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero (got {raw!r}).")
    return value


def parse_public_url(env: Mapping[str, str]) -> str:
    """The URL users reach the server at, without a trailing slash, or '' when unset."""
    raw = env.get("PLUTO_PUBLIC_URL", "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"PLUTO_PUBLIC_URL must be an http:// or https:// URL such as "
            f"https://pluto.example.org (got {raw!r})."
        )
    return raw.rstrip("/")


DEFAULT_UPSTREAM_INDEX = "https://pypi.org/simple/"


def parse_upstream_index(env: Mapping[str, str]) -> str:
    """Where the SDK's package index sends pip for other projects, ending in '/'; '' for none."""
    raw = env.get("PLUTO_SDK_UPSTREAM_INDEX", "").strip()
    if not raw:
        return DEFAULT_UPSTREAM_INDEX
    if raw.lower() == "none":
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"PLUTO_SDK_UPSTREAM_INDEX must be the http:// or https:// URL of a simple package "
            f"index such as {DEFAULT_UPSTREAM_INDEX}, or none (got {raw!r})."
        )
    return raw.rstrip("/") + "/"


def parse_list(env: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated variable, its items trimmed, empty items dropped."""
    return [item.strip() for item in env.get(name, "").split(",") if item.strip()]


def parse_networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """Addresses and CIDR networks (``10.0.0.0/8, ::1``); a bad one is named."""
    networks = []
    for item in parse_list(env, name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"{name} must list IP addresses or networks such as 10.0.0.0/8 (got {item!r})."
            ) from exc
    return tuple(networks)


def parse_rate(env: Mapping[str, str], name: str, default: Rate) -> Rate | None:
    """``N`` requests a minute, or ``N/second|minute|hour|day``; ``0`` turns the limit off."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    match = RATE.match(raw.strip().replace("_", "").lower())
    if match is None:
        raise ConfigError(
            f"{name} must be a number of requests per minute, or N/second, N/minute, N/hour "
            f"or N/day, with 0 for no limit (got {raw!r})."
        )
    requests = int(match.group(1))
    seconds = PERIOD_SECONDS[match.group(2) or "minute"]
    return Rate(requests, seconds) if requests else None


def allowed_hosts(env: Mapping[str, str], public_url: str) -> tuple[str, ...]:
    """The public URL's host and ``PLUTO_ALLOWED_HOSTS``; empty means any host."""
    hosts = parse_list(env, "PLUTO_ALLOWED_HOSTS")
    if public_url:
        hosts.insert(0, urlsplit(public_url).hostname or "")
    return tuple(dict.fromkeys(hosts))


def parse_database_url(raw: str | None, data_dir: Path) -> DatabaseConfig:
    """``sqlite:///path`` or ``postgres://user:pass@host:port/name``; SQLite in the data dir."""
    if not raw:
        return DatabaseConfig("django.db.backends.sqlite3", str(data_dir / "pluto.sqlite3"))
    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        # sqlite:///abs/path and SQLAlchemy's sqlite:////abs/path name the same file.
        path = "/" + unquote(parts.path).lstrip("/")
        if path == "/":
            raise ConfigError("PLUTO_DATABASE_URL: a sqlite URL needs a file, sqlite:///path.")
        return DatabaseConfig("django.db.backends.sqlite3", path)
    if parts.scheme in {"postgres", "postgresql"}:
        return postgres_config(raw, parts.path)
    raise ConfigError(
        "PLUTO_DATABASE_URL must start with sqlite:/// or postgres:// "
        f"(got scheme {parts.scheme!r})."
    )


def postgres_config(raw: str, path: str) -> DatabaseConfig:
    """The PostgreSQL settings of a ``postgres://`` URL."""
    parts = urlsplit(raw)
    name = unquote(path.lstrip("/"))
    if not name:
        raise ConfigError("PLUTO_DATABASE_URL: a postgres URL needs a database name after '/'.")
    try:
        port = str(parts.port or "")
    except ValueError as exc:
        raise ConfigError(f"PLUTO_DATABASE_URL: the port is not a number ({exc}).") from exc
    return DatabaseConfig(
        "django.db.backends.postgresql",
        name,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=unquote(parts.hostname or ""),
        port=port,
    )


S3_OPTIONS = (
    "endpoint_url",
    "region",
    "access_key_id",
    "secret_access_key",
    "addressing_style",
    "presign_endpoint_url",
)


def parse_storage_url(raw: str | None, data_dir: Path) -> StorageConfig:
    """``s3://bucket/prefix?endpoint_url=...``, ``file:///path``, or the data dir's objects."""
    if not raw or not raw.strip():
        return StorageConfig(root=data_dir / "objects")
    parts = urlsplit(raw.strip())
    if parts.scheme == "file":
        path = unquote(parts.path)
        if not path.startswith("/") or path == "/":
            raise ConfigError("PLUTO_STORAGE_URL: a file URL needs a folder, file:///path.")
        return StorageConfig(root=Path(path))
    if parts.scheme == "s3":
        return s3_storage_config(raw, parts.netloc, parts.path, parts.query)
    raise ConfigError(
        f"PLUTO_STORAGE_URL must start with s3:// or file:/// (got scheme {parts.scheme!r})."
    )


def s3_storage_config(raw: str, bucket: str, path: str, query: str) -> StorageConfig:
    """The S3 settings of an ``s3://`` URL; unknown or malformed parameters are named."""
    if not bucket or "@" in bucket:
        raise ConfigError(
            "PLUTO_STORAGE_URL: an s3 URL names its bucket, s3://bucket/prefix (credentials go "
            "in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the URL's parameters)."
        )
    options = tuple(parse_qsl(query, keep_blank_values=True, strict_parsing=False))
    unknown = sorted({name for name, _ in options} - set(S3_OPTIONS))
    if unknown:
        raise ConfigError(
            f"PLUTO_STORAGE_URL has unknown parameters {', '.join(unknown)}; the known ones "
            f"are {', '.join(S3_OPTIONS)}."
        )
    for name, value in options:
        check_s3_option(name, value)
    return StorageConfig(bucket=bucket, prefix=unquote(path).strip("/"), options=options)


def check_s3_option(name: str, value: str) -> None:
    """Endpoints must be http(s) URLs and the addressing style path, virtual or auto."""
    if name.endswith("endpoint_url"):
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigError(
                f"PLUTO_STORAGE_URL: {name} must be an http:// or https:// URL (got {value!r})."
            )
    if name == "addressing_style" and value not in {"path", "virtual", "auto"}:
        raise ConfigError(
            f"PLUTO_STORAGE_URL: addressing_style must be path, virtual or auto (got {value!r})."
        )


def secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    """``PLUTO_SECRET_KEY``, or a key generated once into the data directory."""
    given = env.get("PLUTO_SECRET_KEY", "").strip()
    if given:
        if len(given) < MIN_SECRET_LENGTH or len(set(given)) < MIN_SECRET_CHARACTERS:
            raise ConfigError(
                f"PLUTO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters long, with "
                f"at least {MIN_SECRET_CHARACTERS} different ones (it has {len(given)}); make "
                "one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
        return given
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    write_private(path, key)
    return key


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read, without a window where others can."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def ensure_data_dir(env: Mapping[str, str], cwd: Path) -> Path:
    """The data directory (``var`` under ``cwd`` by default), created if missing."""
    raw = env.get("PLUTO_DATA_DIR", "").strip() or "var"
    path = (cwd / Path(raw).expanduser()).resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"PLUTO_DATA_DIR={raw!r} exists and is not a directory.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"PLUTO_DATA_DIR={raw!r} cannot be created: {exc.strerror}.") from exc
    return path


def load_config(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Config:
    """Parse every setting, raising :class:`ConfigError` on the first bad one."""
    cwd = cwd or Path.cwd()
    env = merged_environment(os.environ if environ is None else environ, cwd)
    data_dir = ensure_data_dir(env, cwd)
    public_url = parse_public_url(env)
    max_upload = parse_positive_int(env, "PLUTO_MAX_UPLOAD_BYTES", 5 * 1024**3)
    return Config(
        data_dir=data_dir,
        database=parse_database_url(env.get("PLUTO_DATABASE_URL"), data_dir),
        secret_key=secret_key(env, data_dir),
        public_url=public_url,
        allow_signup=parse_bool(env, "PLUTO_ALLOW_SIGNUP", False),
        debug=parse_bool(env, "PLUTO_DEBUG", False),
        signed_url_ttl=parse_positive_int(env, "PLUTO_SIGNED_URL_TTL", 3600),
        max_upload_bytes=max_upload,
        max_json_bytes=parse_positive_int(env, "PLUTO_MAX_JSON_BYTES", 10 * 1024**2),
        max_unpacked_bytes=parse_positive_int(
            env, "PLUTO_MAX_UNPACKED_BYTES", UNPACKED_PER_UPLOAD * max_upload
        ),
        upload_session_ttl=parse_positive_int(env, "PLUTO_UPLOAD_SESSION_TTL", 7 * 24 * 3600),
        job_heartbeat_seconds=parse_positive_int(env, "PLUTO_JOB_HEARTBEAT_SECONDS", 5),
        job_timeout_seconds=parse_positive_int(env, "PLUTO_JOB_TIMEOUT_SECONDS", 60),
        job_max_attempts=parse_positive_int(env, "PLUTO_JOB_MAX_ATTEMPTS", 3),
        temp_file_max_age=parse_positive_int(env, "PLUTO_TEMP_FILE_MAX_AGE", 24 * 3600),
        trusted_proxies=parse_networks(env, "PLUTO_TRUSTED_PROXIES"),
        allowed_hosts=allowed_hosts(env, public_url),
        api_rate_per_key=parse_rate(env, "PLUTO_API_RATE_PER_KEY", Rate(1200, 60)),
        api_rate_per_address=parse_rate(env, "PLUTO_API_RATE_PER_ADDRESS", Rate(3000, 60)),
        sdk_upstream_index=parse_upstream_index(env),
        storage=parse_storage_url(env.get("PLUTO_STORAGE_URL"), data_dir),
        pipeline_threads=parse_positive_int(env, "PLUTO_PIPELINE_THREADS", 2),
    )
