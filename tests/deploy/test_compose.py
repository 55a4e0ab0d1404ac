"""deploy/compose.yaml: its Pluto commands parse with the CLI, its settings are ones Pluto
reads and accepts, and its services fit together (names, ports, bucket, credentials,
PostgreSQL's connections)."""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pluto.server.config import load_config
from tests.deploy.deployment import (
    COMPOSE,
    NGINX_CONF,
    compose_command,
    environment_of,
    interpolate,
    load_compose,
    mentioned_settings,
    nginx_block,
    nginx_directives,
    pluto_argv,
    required_variables,
    run_cli,
    settings_read_by_pluto,
)

SERVICES = {"postgres", "seaweedfs", "bucket", "migrate", "web", "worker", "nginx", "admin"}
SECRETS = {
    "POSTGRES_PASSWORD": secrets.token_hex(16),
    "S3_ACCESS_KEY": "pluto-" + secrets.token_hex(8),
    "S3_SECRET_KEY": secrets.token_hex(20),
    "PLUTO_SECRET_KEY": secrets.token_urlsafe(48),
}
# Per web node, its supervisor (stale-job reaper, hourly cleanup); per worker, its claims;
# and room for migrations, backups, admin commands and PostgreSQL's reserved connections.
PER_WEB_NODE, PER_WORKER, SPARE = 2, 1, 10


def services() -> dict[str, Any]:
    """The services, their variables filled in as compose would from a complete .env."""
    filled = interpolate(load_compose(), SECRETS)
    assert isinstance(filled, dict)
    return dict(filled["services"])


def pluto_services() -> dict[str, Any]:
    """The services that run a ``pluto`` command."""
    return {
        name: service
        for name, service in services().items()
        if compose_command(service)[:1] == ["pluto"]
    }


def parsed(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A service's command as Pluto's CLI parses it."""
    return run_cli(pluto_argv(compose_command(services()[name])), monkeypatch)


def replicas(service: dict[str, Any]) -> int:
    """How many containers compose starts for a service."""
    return int(service.get("deploy", {}).get("replicas", 1))


def test_the_compose_file_parses_and_has_every_part_of_a_cluster() -> None:
    assert set(services()) == SERVICES


@pytest.mark.parametrize("name", sorted(pluto_services()))
def test_every_compose_command_parses_with_the_cli(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed(name, monkeypatch)


def test_compose_runs_migrations_once_then_two_web_replicas_and_a_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    web, worker = services()["web"], services()["worker"]

    assert parsed("migrate", monkeypatch).path == ("migrate",)
    serve = parsed("web", monkeypatch)
    assert serve.path == ("serve",)
    assert serve.params["no_worker"] is True and serve.params["no_migrate"] is True
    assert replicas(web) == 2
    assert parsed("worker", monkeypatch).path == ("worker",)
    for service in (web, worker):
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_setting_compose_names_is_one_pluto_reads() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    keys = {key for service in services().values() for key in environment_of(service)}

    assert {key for key in keys if key.startswith("PLUTO_")} <= settings_read_by_pluto()
    assert mentioned_settings(text) - settings_read_by_pluto() == set()


@pytest.mark.parametrize("name", sorted(pluto_services()))
def test_every_pluto_service_gets_settings_pluto_accepts_for_a_scaled_out_install(
    name: str, tmp_path: Path
) -> None:
    environment = environment_of(services()[name])
    environment["PLUTO_DATA_DIR"] = str(tmp_path / "data")

    config = load_config(environment, cwd=tmp_path)

    assert config.database.engine == "django.db.backends.postgresql"
    assert config.storage.is_s3
    assert config.secret_key == SECRETS["PLUTO_SECRET_KEY"]
    assert config.trusted_proxies


def test_compose_starts_only_with_every_secret_set() -> None:
    assert required_variables(COMPOSE.read_text(encoding="utf-8")) == set(SECRETS)
    for name in SECRETS:
        with pytest.raises(ValueError, match=name):
            interpolate(load_compose(), {**SECRETS, name: ""})


def test_every_service_compose_depends_on_exists() -> None:
    every = services()
    needed = {other for service in every.values() for other in service.get("depends_on", {})}

    assert needed <= set(every)


def test_the_nodes_reach_postgresql_as_the_postgres_service_sets_it_up(tmp_path: Path) -> None:
    every = services()
    postgres = environment_of(every["postgres"])
    database = load_config(
        {**environment_of(every["web"]), "PLUTO_DATA_DIR": str(tmp_path)}, cwd=tmp_path
    ).database

    assert (database.host, database.port) == ("postgres", "5432")
    assert database.user == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.name == postgres["POSTGRES_DB"]


def test_the_nodes_use_the_bucket_the_bucket_one_shot_creates_on_the_store(
    tmp_path: Path,
) -> None:
    every = services()
    storage = load_config(
        {**environment_of(every["web"]), "PLUTO_DATA_DIR": str(tmp_path)}, cwd=tmp_path
    ).storage
    endpoint, bucket = compose_command(every["bucket"])[-2:]

    assert (storage.option("endpoint_url"), storage.bucket) == (endpoint, bucket)
    assert urlsplit(endpoint).hostname == "seaweedfs"
    assert every["bucket"]["volumes"] == ["./create-bucket.py:/opt/pluto/create-bucket.py:ro"]
    assert (COMPOSE.parent / "create-bucket.py").is_file()


def test_the_s3_store_is_seaweedfs_weed_server_with_s3_and_the_nodes_credentials() -> None:
    compose = interpolate(load_compose(), SECRETS)
    seaweedfs = compose["services"]["seaweedfs"]
    command = compose_command(seaweedfs)
    identities = json.loads(compose["configs"]["s3-identities"]["content"])["identities"]
    node = environment_of(compose["services"]["web"])

    assert seaweedfs["image"].split(":")[0] == "chrislusf/seaweedfs"
    assert [*seaweedfs["entrypoint"], *command[:1]] == ["weed", "server"]
    assert "-s3" in command and "-s3.port=8333" in command
    target = seaweedfs["configs"][0]["target"]
    assert f"-s3.config={target}" in command
    assert [identity["credentials"] for identity in identities] == [
        [{"accessKey": node["AWS_ACCESS_KEY_ID"], "secretKey": node["AWS_SECRET_ACCESS_KEY"]}]
    ]


def test_nginx_proxies_to_the_web_service_on_the_port_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nginx = services()["nginx"]
    upstream = nginx_directives(
        nginx_block(NGINX_CONF.read_text(encoding="utf-8"), "upstream pluto")
    )
    port = parsed("web", monkeypatch).params["port"]

    assert [d[1] for d in upstream if d[0] == "server"] == [f"web:{port}"]
    assert nginx["volumes"] == ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_web_nodes_trust_the_network_nginx_reaches_them_from(tmp_path: Path) -> None:
    compose = interpolate(load_compose(), SECRETS)
    subnets = [entry["subnet"] for entry in compose["networks"]["default"]["ipam"]["config"]]
    web = environment_of(compose["services"]["web"])

    proxies = load_config({**web, "PLUTO_DATA_DIR": str(tmp_path)}, cwd=tmp_path)
    assert list(proxies.trusted_proxies) == [ipaddress.ip_network(s) for s in subnets]


def test_postgresql_has_a_connection_for_every_process_of_the_compose_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    every = services()
    command = compose_command(every["postgres"])
    limit = int(next(a for a in command if a.startswith("max_connections=")).split("=")[1])
    web_nodes, workers = replicas(every["web"]), replicas(every["worker"])
    processes = parsed("web", monkeypatch).params["processes"]
    concurrency = parsed("worker", monkeypatch).params["concurrency"]
    # Each request thread of a web process keeps a connection of its own.
    threads = parsed("web", monkeypatch).params["threads"]
    assert processes is not None
    needed = web_nodes * processes * threads + workers * concurrency
    margin = web_nodes * PER_WEB_NODE + workers * PER_WORKER + SPARE

    assert needed + margin <= limit


def test_the_web_healthcheck_asks_health_with_a_host_pluto_answers() -> None:
    web = services()["web"]
    probe = " ".join(web["healthcheck"]["test"])

    assert "http://127.0.0.1:8000/health/" in probe
    assert re.search(r"PLUTO_PUBLIC_URL", probe)
    assert "PLUTO_PUBLIC_URL" in environment_of(web)
