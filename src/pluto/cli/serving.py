"""What ``pluto serve`` runs: the listening socket, its web processes and analysis workers
under one supervisor, and the supervisor's own tasks."""

from __future__ import annotations

import errno
import os
import socket
import sys

import click

from pluto.cli.supervisor import PeriodicTask, Role, Supervisor
from pluto.server.connection_board import ConnectionBoard, create_board

REAP_INTERVAL_SECONDS = 1.0
# Requests a web process answers at once: enough to keep a core busy while some wait on the
# database or the object store, few enough that Python's one running thread per process does
# not leave the others' requests waiting (`python -m bench serve_threads`: with 8, p99 at 50
# connections was 7x its p50 on lab/me/; with 4, 3.2x, and the most throughput), and that
# processes x threads database connections stay within what PostgreSQL allows
# (docs/deployment.md).
DEFAULT_THREADS = 4


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound once here and shared by every web process.

    It is not listening yet: the first web process that is ready to answer starts listening
    (see :func:`pluto.server.gthread.serve`), so until then a client is refused at once
    rather than left waiting on a connection nobody accepts.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(bind_failure(host, port, exc)) from exc
    sock.set_inheritable(True)
    return sock


def bind_failure(host: str, port: int, exc: OSError) -> str:
    """What to tell the operator when the port cannot be had."""
    if exc.errno == errno.EADDRINUSE:
        return f"Port {port} on {host} is already in use: is another server running there?"
    return f"Cannot listen on {host}:{port}: {exc.strerror or exc}."


def web_roles(sock: socket.socket, count: int, threads: int) -> list[Role]:
    """``count`` web processes serving on ``sock``, each with ``threads`` request threads,
    sharing out the connections on one board."""
    command = [
        *(sys.executable, "-m", "pluto.cli.web_process"),
        *("--fd", str(sock.fileno()), "--parent", str(os.getpid())),
        *("--threads", str(threads)),
    ]
    if count == 1:
        return [Role("web process 1", command, pass_fds=(sock.fileno(),))]
    board = create_board(count)
    return [web_role(command, sock, board, slot) for slot in range(count)]


def web_role(command: list[str], sock: socket.socket, board: int, slot: int) -> Role:
    """The web process on ``slot`` of the connection board ``board``; its slot is cleared
    when it ends, so that the others do not leave connections to it."""
    return Role(
        f"web process {slot + 1}",
        [*command, "--board-fd", str(board), "--slot", str(slot)],
        pass_fds=(sock.fileno(), board),
        after_exit=lambda _pid: ConnectionBoard(board, slot).leave(),
    )


def worker_roles(count: int) -> list[Role]:
    """``count`` analysis workers; a dead worker's running job is handed back at once."""
    command = [sys.executable, "-m", "pluto.cli.main", "worker", "--parent", str(os.getpid())]
    return [
        Role(f"analysis worker {n}", command, after_exit=release_jobs_of)
        for n in range(1, count + 1)
    ]


def release_jobs_of(pid: int) -> None:
    """Retry (or fail) what the worker with process id ``pid`` was running when it died."""
    from pluto.server.analyses import queue

    queue.release_jobs_of_process(socket.gethostname(), pid)


def reap_stale_jobs() -> None:
    """Retry or fail jobs whose worker fell silent, wherever that worker ran."""
    from django.db import close_old_connections

    from pluto.server.analyses import queue

    close_old_connections()
    queue.reap_stale()


def run_supervised(
    host: str, port: int, web_processes: int, threads: int, analysis_workers: int
) -> int:
    """Serve on ``host:port`` until stopped; the exit status."""
    sock = bind_listening_socket(host, port)
    roles = [*web_roles(sock, web_processes, threads), *worker_roles(analysis_workers)]
    reaper = PeriodicTask("reaping of stale jobs", REAP_INTERVAL_SECONDS, reap_stale_jobs)
    return Supervisor(roles, tasks=[reaper]).run()
