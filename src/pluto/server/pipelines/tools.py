"""Running the pipelines' bioinformatics tools (fastp, salmon) as child processes.

A tool runs with at most ``PLUTO_PIPELINE_THREADS`` threads, in a process group of its own
(so stopping it stops whatever it started), its standard output and error merged and
handed line by line to a log as they come. It dies with the process that started it (a
run's process killed on cancel, or with its lost worker), so no tool outlives its run. A
tool that exits with an error fails the step with its last lines, which say why far better
than an exit status.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings

from pluto.server.errors import PlutoError
from pluto.server.lifeline import parent_death_request

TAIL_LINES = 8
VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")
INSTALL_HINT = "install it with scripts/install-pipeline-tools (Debian's package of that name)"


class ToolFailed(PlutoError):
    """A tool could not run or exited with an error; the message has its last lines."""

    status, code = 400, "tool_failed"


def threads() -> int:
    """How many threads each tool may use."""
    return int(settings.PIPELINE_THREADS)


@functools.cache
def tool_version(tool: str) -> str:
    """``"fastp 0.23.2"``: the tool and the version it reports (for the methods text)."""
    try:
        done = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError as exc:
        raise ToolFailed(f"{tool} is not installed; {INSTALL_HINT}.") from exc
    found = VERSION.search(done.stdout + done.stderr)
    return f"{tool} {found.group(1) if found else 'unknown version'}"


def failure(tool: str, what: str, code: int, tail: Sequence[str]) -> ToolFailed:
    """The error of a tool that exited with ``code``, with its last lines."""
    last = "\n".join(line for line in tail if line.strip())
    return ToolFailed(
        f"{tool} failed {what} (exit status {code}). Its last lines:\n{last}",
        details={"tool": tool, "exit_status": code},
    )


def run_tool(args: Sequence[str | Path], what: str, log: Callable[[str], None], cwd: Path) -> None:
    """Run a tool to its end, each output line going to ``log``; ``ToolFailed`` on error.

    ``what`` says what it was doing (``"on sample S1"``) for the failure's message.
    """
    tool = str(args[0])
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        process = subprocess.Popen(
            [str(arg) for arg in args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
            # Only the prctl call loaded before the fork runs there (see parent_death_request).
            preexec_fn=parent_death_request(signal.SIGKILL),
        )
    except FileNotFoundError as exc:
        raise ToolFailed(f"{tool} is not installed; {INSTALL_HINT}.") from exc
    try:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip())
            log(line.rstrip())
        code = process.wait()
    except BaseException:
        stop(process)
        raise
    if code != 0:
        raise failure(tool, what, code, tail)


def stop(process: subprocess.Popen[str]) -> None:
    """Kill a tool and everything it started (its process group), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
