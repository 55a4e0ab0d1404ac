"""Running the pipelines' bioinformatics tools (fastp, salmon, bowtie2…) as child processes,
alone or joined by pipes.

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
from typing import Any

from django.conf import settings

from pluto.server.errors import PlutoError
from pluto.server.lifeline import parent_death_request

TAIL_LINES = 8
VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")
Popen = subprocess.Popen[bytes]
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
            [tool, "--version"],
            capture_output=True,
            text=True,
            errors="replace",  # samtools' copyright line is not UTF-8
            timeout=30,
            check=False,
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


def start_tool(
    args: Sequence[str | Path], cwd: Path, stdin: Any, stdout: Any, stderr: Any
) -> subprocess.Popen[bytes]:
    """Start one tool in a process group of its own that dies with this process."""
    try:
        return subprocess.Popen(
            [str(arg) for arg in args],
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            # Only the prctl call loaded before the fork runs there (see parent_death_request).
            preexec_fn=parent_death_request(signal.SIGKILL),
        )
    except FileNotFoundError as exc:
        raise ToolFailed(f"{args[0]} is not installed; {INSTALL_HINT}.") from exc


def start_pipe(
    commands: Sequence[Sequence[str | Path]], cwd: Path, errors: int, output: Any
) -> list[Popen]:
    """Start ``commands`` with each one's output going to the next one's input, the last
    one's to ``output`` (a file descriptor or file), every one's errors to ``errors``."""
    started: list[Popen] = []
    try:
        for number, args in enumerate(commands):
            last = number == len(commands) - 1
            stdin = started[-1].stdout if started else subprocess.DEVNULL
            stdout = output if last else subprocess.PIPE
            started.append(start_tool(args, cwd, stdin, stdout, errors))
            if number and started[-2].stdout is not None:
                started[-2].stdout.close()  # only the next tool reads it now
    except BaseException:
        for process in started:
            stop(process)
        raise
    return started


def run_pipe(
    commands: Sequence[Sequence[str | Path]],
    what: str,
    log: Callable[[str], None],
    cwd: Path,
    output: Path | None = None,
) -> None:
    """Run tools joined by pipes (``a | b | c``) to their end, their messages going to
    ``log`` line by line and the last one's output to ``output`` (else to ``log`` too);
    ``ToolFailed`` naming the first tool that failed."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    reader, writer = os.pipe()
    try:
        with contextlib.ExitStack() as files:
            target = files.enter_context(output.open("wb")) if output else writer
            processes = start_pipe(commands, cwd, writer, target)
    finally:
        os.close(writer)  # the tools hold their own copies; EOF comes when they all exit
    try:
        with open(reader, encoding="utf-8", errors="replace") as messages:
            for line in messages:
                tail.append(line.rstrip())
                log(line.rstrip())
        codes = [process.wait() for process in processes]
    except BaseException:
        for process in processes:
            stop(process)
        raise
    for args, code in zip(commands, codes, strict=True):
        if code != 0:
            raise failure(str(args[0]), what, code, tail)


def run_tool(
    args: Sequence[str | Path],
    what: str,
    log: Callable[[str], None],
    cwd: Path,
    output: Path | None = None,
) -> None:
    """Run a tool to its end, each line it writes going to ``log`` (its standard output to
    ``output`` instead, when given); ``ToolFailed`` on error.

    ``what`` says what it was doing (``"on sample S1"``) for the failure's message.
    """
    run_pipe([args], what, log, cwd, output)


def stop(process: Popen) -> None:
    """Kill a tool and everything it started (its process group), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
