"""The lines that install the Python SDK from this server, for the Account page and the docs."""

from __future__ import annotations

from urllib.parse import urlsplit

from pluto.server.web.wheel import DISTRIBUTION, wheel_filename

# pip fetches an index page over plain http only from these hosts unless told to trust it.
SECURE_HOSTS = {"localhost", "127.0.0.1", "::1"}


def wheel_install_line(server: str) -> str:
    """``pip install <server>/sdk/python/<wheel>``: the dependencies come from your usual index."""
    return f"pip install {server}/sdk/python/{wheel_filename()}"


def index_install_line(server: str) -> str:
    """``pip install --index-url <server>/sdk/python/simple/ pluto``.

    ``--index-url``, never ``--extra-index-url``: with a second index pip would take the
    unrelated ``pluto`` on PyPI, whose version is higher. A plain-http server that is not
    this machine also needs ``--trusted-host``, or pip ignores its index.
    """
    parts = urlsplit(server)
    trusted = ""
    if parts.scheme == "http" and parts.hostname not in SECURE_HOSTS:
        trusted = f" --trusted-host {parts.hostname}"
    return f"pip install --index-url {server}/sdk/python/simple/{trusted} {DISTRIBUTION}"
