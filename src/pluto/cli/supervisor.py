"""``pluto serve``'s supervisor: it starts the web processes and analysis workers, starts
again any that die, reaps the jobs of dead workers, and stops them all when it stops.

Every child also ends by itself when the supervisor dies, even by SIGKILL (see
:mod:`pluto.server.lifeline`), so a killed server leaves no process holding its port and a
restart right after comes up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("pluto.serve")
TICK_SECONDS = 0.25
# A child that ends sooner than this after starting is failing to start: wait longer each time.
QUICK_EXIT_SECONDS = 10.0
LONGEST_RESTART_DELAY = 30.0
STOP_SECONDS = 20.0


@dataclass(frozen=True)
class Role:
    """A kind of child process: its name in logs, its command, the descriptors it inherits,
    and what to do once one of its processes has ended (called with that process's id)."""

    name: str
    command: Sequence[str]
    pass_fds: tuple[int, ...] = ()
    after_exit: Callable[[int], object] | None = None


@dataclass
class Supervised:
    """One child process of a role, started again whenever it ends."""

    role: Role
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    restart_at: float = 0.0

    def start(self) -> None:
        """Start the process (in a process group of its own: the supervisor decides when it
        stops, not a Ctrl-C that reaches the whole terminal's group)."""
        self.process = subprocess.Popen(
            list(self.role.command), pass_fds=self.role.pass_fds, process_group=0
        )
        self.started_at = time.monotonic()

    def check(self, now: float) -> None:
        """Notice an ended process, and start it again once its restart delay has passed."""
        if self.process is not None and self.process.poll() is not None:
            self.ended(self.process, now)
        if self.process is None and now >= self.restart_at:
            self.start()

    def ended(self, process: subprocess.Popen[bytes], now: float) -> None:
        """Record an unexpected end, schedule the restart and run the role's clean-up."""
        lived = now - self.started_at
        self.quick_exits = self.quick_exits + 1 if lived < QUICK_EXIT_SECONDS else 0
        delay = min(LONGEST_RESTART_DELAY, 0.5 * 2**self.quick_exits)
        logger.warning(
            "The %s (process %s) ended with status %s after %.0f s; starting it again in %.1f s.",
            *(self.role.name, process.pid, process.returncode, lived, delay),
        )
        self.process, self.restart_at = None, now + delay
        if self.role.after_exit is not None:
            guarded(f"clean-up after the {self.role.name}", self.role.after_exit, process.pid)


@dataclass
class PeriodicTask:
    """Something the supervisor does every ``interval`` seconds (failures are logged)."""

    name: str
    interval: float
    action: Callable[[], object]
    next_run: float = 0.0

    def run_if_due(self, now: float) -> None:
        """Run the task when its time has come."""
        if now >= self.next_run:
            self.next_run = now + self.interval
            guarded(self.name, self.action)


def guarded(name: str, action: Callable[..., object], *args: object) -> None:
    """Run ``action``; a failure is logged and does not stop the supervisor."""
    try:
        action(*args)
    except Exception:
        logger.exception("The supervisor's %s failed; it will try again.", name)


def wake_up_pipe() -> tuple[int, int]:
    """A pipe whose write end never blocks (a signal handler writes to it)."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    return read, write


@dataclass
class Supervisor:
    """Runs every child of ``roles`` and the ``tasks`` until SIGTERM or SIGINT."""

    roles: Sequence[Role]
    tasks: Sequence[PeriodicTask] = ()
    children: list[Supervised] = field(default_factory=list)
    # A plain flag: the signal handler must take no lock.
    stop_requested: bool = False
    # A pipe the signal handler writes to, so that a stop ends the loop's wait at once
    # rather than after the rest of a tick (the sleep would resume after the handler).
    wake_up: tuple[int, int] = field(default_factory=wake_up_pipe)

    def request_stop(self, *_: object) -> None:
        """Ask the loop to end (called from a signal handler)."""
        self.stop_requested = True
        with contextlib.suppress(OSError):
            os.write(self.wake_up[1], b"!")

    def run(self) -> int:
        """Start every child, keep them running, then stop them all; the exit status."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.children = [Supervised(role) for role in self.roles]
        try:
            while not self.stop_requested:
                self.tick(time.monotonic())
                self.wait(TICK_SECONDS)
        finally:
            self.stop_children()
        return 0

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking as soon as a stop is requested."""
        select.select([self.wake_up[0]], [], [], seconds)

    def tick(self, now: float) -> None:
        """One look at the children and the tasks."""
        for child in self.children:
            child.check(now)
        for task in self.tasks:
            task.run_if_due(now)

    def stop_children(self) -> None:
        """SIGTERM every child, wait for them to finish, then SIGKILL what is left."""
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if process.poll() is None:
                logger.warning("Process %s did not stop in time; killing it.", process.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
                process.wait()
