"""Processes that end with the process that started them, however it ends.

``pluto serve`` starts web processes and analysis workers, and a worker starts one process
per job. A parent killed with SIGKILL (or by the kernel's out-of-memory killer) runs no exit
handler, so each child watches for itself: the kernel signals it when its parent dies
(Linux's parent-death signal), and a thread checks the parent id as well, for systems without
that signal and for a parent that died before the child could ask for it.

Also here: a name for the running process that stays unique across process-id reuse, so
that a lease recorded by a process can be recognised as abandoned once that process is gone.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 0.5


@functools.cache
def prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, None where there is none; cached, so a process loads it before it
    forks (loading a library in the forked child of a threaded process could deadlock)."""
    try:
        function: Callable[..., int] = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return function


def parent_death_request(sig: signal.Signals) -> Callable[[], None] | None:
    """A call that has the kernel send ``sig`` to the calling process when its parent dies
    (Linux's parent-death signal), for a child to make right after the fork (a
    ``preexec_fn``); None where it cannot be asked."""
    call = prctl()
    if call is None:
        return None

    def ask() -> None:
        call(PR_SET_PDEATHSIG, int(sig))

    return ask


def ask_kernel_for_signal(sig: signal.Signals) -> None:
    """Have the kernel send ``sig`` to this process when its parent dies (Linux only)."""
    request = parent_death_request(sig)
    if request is not None:
        request()


def end_with_parent(
    parent_pid: int,
    on_orphaned: Callable[[], None],
    sig: signal.Signals = signal.SIGTERM,
) -> None:
    """End this process soon after ``parent_pid`` is no longer its parent.

    ``sig`` comes from the kernel at once; ``on_orphaned`` runs once, from a watching thread,
    in case it did not (it should end the process, for example with ``os._exit``).
    """
    ask_kernel_for_signal(sig)
    if os.getppid() != parent_pid:  # the parent died before the request above took effect
        on_orphaned()
        return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_INTERVAL)
        on_orphaned()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def start_time(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot; None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie has finished; it only waits to be reaped
        return None
    return fields[19]


def this_process() -> str:
    """``host:pid:start`` naming this process; never the same for two processes of a host."""
    return process_name(os.getpid())


@functools.cache
def process_name(pid: int) -> str:
    """The :func:`this_process` name of a live process of this host (cached: it never
    changes while the process lives, and a forked child has a pid of its own)."""
    return f"{socket.gethostname()}:{pid}:{start_time(pid) or '?'}"


def is_gone(holder: str) -> bool:
    """Whether the process a :func:`this_process` name stands for has certainly ended.

    A process on another host cannot be checked from here: that one counts as alive, and
    whatever it holds must expire on its own.
    """
    host, _, rest = holder.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return start_time(int(pid)) != started
