"""The child process that runs one analysis: ``python -m … <pk> <worker id> <worker pid>``."""

from __future__ import annotations

import contextlib
import os
import signal
import sys

# Exit status of a child that stopped because its worker is gone.
ORPHANED = 3
JOB_NICENESS = 10


def die_with_worker(worker: int) -> None:
    """End this process as soon as the worker (process id ``worker``) that started it dies.

    The child runs in a session of its own (so a cancel can kill it and whatever it
    started), which means a killed worker does not take it along. Left running, it would
    compute for a job the queue is about to hand to another worker. The worker may even
    have died before this process got here, hence its id is passed rather than looked up.
    """
    from pluto.server.lifeline import end_with_parent

    end_with_parent(worker, on_orphaned=lambda: os._exit(ORPHANED), sig=signal.SIGKILL)


def yield_to_web_requests() -> None:
    """Run at a lower CPU priority, so pages stay quick while analyses compute on the same
    machine."""
    with contextlib.suppress(OSError):
        os.nice(JOB_NICENESS)


def main(argv: list[str]) -> int:
    """Set up Django, run the analysis, and exit 0 (failures are recorded on the analysis).

    ``argv``: the analysis's primary key, the worker's id, and the worker's process id.
    """
    die_with_worker(int(argv[3]) if len(argv) > 3 else os.getppid())
    yield_to_web_requests()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pluto.server.settings")
    import django

    django.setup()
    from pluto.server.analyses.execution import execute

    execute(int(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
