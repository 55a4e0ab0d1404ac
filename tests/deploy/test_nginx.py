"""deploy/nginx.conf is a configuration nginx accepts, and does for Pluto what the cluster
test's nginx does: the same proxy headers, upload streaming, retries and timeouts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cluster.cluster import nginx_binary, nginx_config
from tests.deploy.deployment import NGINX_CONF, nginx_block, nginx_directives

# nginx -t resolves upstream names: compose's service name only resolves on its network.
COMPOSE_UPSTREAM = "server web:8000 "
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def deploy_config() -> str:
    """deploy/nginx.conf as written."""
    return NGINX_CONF.read_text(encoding="utf-8")


def cluster_config(tmp_path: Path) -> str:
    """The configuration the cluster test starts nginx with."""
    return nginx_config(tmp_path, 8080, ["127.0.0.1:8001", "127.0.0.1:8002"])


def pluto_location(config: str) -> set[tuple[str, ...]]:
    """The directives of the ``location /`` that proxies to Pluto."""
    return set(nginx_directives(nginx_block(config, "location /")))


def http_directive(config: str, name: str) -> list[tuple[str, ...]]:
    """The ``http`` block's own directives called ``name``."""
    return [d for d in nginx_directives(nginx_block(config, "http")) if d[0] == name]


@pytest.mark.live
def test_nginx_accepts_the_deploy_configuration(tmp_path: Path) -> None:
    text = deploy_config()
    assert COMPOSE_UPSTREAM in text
    # Loopback for the compose service's name, and nginx's temporary files in tmp_path
    # rather than the system's folders; the rest is the file as written.
    text = text.replace(COMPOSE_UPSTREAM, "server 127.0.0.1:8000 ")
    temp = "".join(f"    {n}_temp_path {tmp_path}/{n};\n" for n in TEMP_PATHS)
    text = text.replace("http {\n", "http {\n" + temp, 1)
    config = tmp_path / "nginx.conf"
    config.write_text(text, encoding="utf-8")

    done = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-q",
            "-p",
            f"{tmp_path}/",
            "-c",
            str(config),
            "-e",
            str(tmp_path / "error.log"),
            "-g",
            f"pid {tmp_path}/nginx.pid;",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr


def test_the_deploy_nginx_proxies_to_pluto_as_the_cluster_test_does(tmp_path: Path) -> None:
    cluster = pluto_location(cluster_config(tmp_path))
    deploy = pluto_location(deploy_config())

    assert cluster - deploy == set()


def test_the_deploy_nginx_takes_uploads_of_any_size_as_the_cluster_test_does(
    tmp_path: Path,
) -> None:
    name = "client_max_body_size"

    assert http_directive(deploy_config(), name) == http_directive(cluster_config(tmp_path), name)


def test_the_deploy_nginx_reads_bodies_whole_and_buffers_answers_for_slow_clients() -> None:
    """A slow client then holds an nginx connection rather than one of Pluto's request
    threads (tests/deploy/test_slow_clients.py shows both)."""
    location = pluto_location(deploy_config())

    assert ("proxy_request_buffering", "on") in location
    assert ("proxy_buffering", "on") in location


def test_the_deploy_nginx_passes_pluto_the_host_and_the_client_address_and_scheme() -> None:
    headers = {d[1:] for d in pluto_location(deploy_config()) if d[0] == "proxy_set_header"}

    assert headers == {
        ("Host", "$http_host"),
        ("X-Forwarded-For", "$remote_addr"),
        ("X-Forwarded-Proto", "$scheme"),
    }
