"""One web process of ``pluto serve``: gunicorn's threaded worker on a socket its parent bound.

``python -m pluto.cli.web_process --fd N --parent PID --threads T [--board-fd B --slot S]``.
The parent (the supervisor) binds the port once and hands the same socket to every web
process, with the board on which they share out the connections (slot ``S`` of the board
``B``, see :mod:`pluto.server.connection_board`); each process answers up to ``T`` requests
at once. The process ends with its parent.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading

from pluto.cli.serving import DEFAULT_THREADS
from pluto.server.connection_board import ConnectionBoard
from pluto.server.serving import GRACEFUL_SECONDS

ORPHANED = 3


def stop_when_orphaned() -> None:
    """Once the supervisor is gone: stop gracefully (as the kernel's SIGTERM asks too), and
    make sure the process is gone after the grace period even if requests never finish."""
    os.kill(os.getpid(), signal.SIGTERM)
    timer = threading.Timer(GRACEFUL_SECONDS + 2, os._exit, args=(ORPHANED,))
    timer.daemon = True
    timer.start()


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """``--fd``, ``--parent``, ``--threads``, and ``--board-fd`` with ``--slot``."""
    parser = argparse.ArgumentParser(prog="pluto-web")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--board-fd", type=int, default=None)
    parser.add_argument("--slot", type=int, default=0)
    return parser.parse_args(argv)


def connection_board(args: argparse.Namespace) -> ConnectionBoard | None:
    """This process's place on the board its parent shares out connections on, if any."""
    if args.board_fd is None:
        return None
    return ConnectionBoard(args.board_fd, args.slot)


def main(argv: list[str] | None = None) -> None:
    """Tie this process to its parent, load Django, and serve until told to stop."""
    args = parse_arguments(argv)
    from pluto.cli.django_setup import setup_django
    from pluto.server.lifeline import end_with_parent

    end_with_parent(args.parent, on_orphaned=stop_when_orphaned, sig=signal.SIGTERM)
    setup_django()
    from pluto.server.serving import serve_web_process

    board = connection_board(args)
    serve_web_process(socket.socket(fileno=args.fd), args.threads, args.parent, board)


if __name__ == "__main__":
    main()
