"""One web process of ``pluto serve``: uvicorn serving the app on a socket its parent bound.

``python -m pluto.cli.web_process --fd N --parent PID``. The parent (the supervisor) binds
the port once and hands the same listening socket to every web process; the kernel spreads
connections among them. The process ends with its parent.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
from typing import Any

# How long open requests may take to finish once the process is asked to stop.
GRACEFUL_SECONDS = 10
ORPHANED = 3


def uvicorn_options() -> dict[str, Any]:
    """The uvicorn settings every web process runs with (Django's settings loaded first:
    the trusted proxies and the redacting log filter come from them)."""
    from pluto.server.serving import uvicorn_options as from_settings

    return {
        "log_level": "info",
        "lifespan": "off",
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        **from_settings(),
    }


def stop_when_orphaned() -> None:
    """Once the supervisor is gone: stop gracefully (as the kernel's SIGTERM asks too), and
    make sure the process is gone after the grace period even if requests never finish."""
    os.kill(os.getpid(), signal.SIGTERM)
    timer = threading.Timer(GRACEFUL_SECONDS + 2, os._exit, args=(ORPHANED,))
    timer.daemon = True
    timer.start()


def serve_socket(fd: int) -> None:
    """Serve the app on the listening socket ``fd`` until told to stop."""
    import uvicorn

    config = uvicorn.Config("pluto.server.asgi:application", **uvicorn_options())
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


def main(argv: list[str] | None = None) -> None:
    """Parse ``--fd`` and ``--parent``, tie this process to its parent, and serve."""
    parser = argparse.ArgumentParser(prog="pluto-web")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    from pluto.cli.django_setup import setup_django
    from pluto.server.lifeline import end_with_parent

    end_with_parent(args.parent, on_orphaned=stop_when_orphaned, sig=signal.SIGTERM)
    setup_django()
    serve_socket(args.fd)


if __name__ == "__main__":
    main()
