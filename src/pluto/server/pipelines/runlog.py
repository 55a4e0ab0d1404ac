"""A run's log: what its tools write, appended to the run's row while they run.

Lines are gathered and written about once a second (one UPDATE appending to the log), so a
chatty tool does not make a write per line, and a reader of the run sees its progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import F, TextField, Value
from django.db.models.functions import Concat

from pluto.server.pipelines.models import PipelineRun

FLUSH_SECONDS = 1.0
# A log past this many characters stops growing (a runaway tool cannot fill the database).
MAX_LOG = 1_000_000


class RunLog:
    """Appends lines to one run's ``log``."""

    def __init__(self, run: PipelineRun) -> None:
        self.run_id = run.pk
        self.pending: list[str] = []
        self.written = len(run.log)
        self.last_flush = time.monotonic()

    def line(self, text: str) -> None:
        """Add one line; written at once when the last write is a second old."""
        if self.written >= MAX_LOG:
            return
        self.pending.append(text + "\n")
        self.written += len(text) + 1
        if self.written >= MAX_LOG:
            self.pending.append("[the log is too long; later lines are not kept]\n")
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def for_step(self, label: str) -> Callable[[str], None]:
        """A writer of lines prefixed with ``[label]``."""
        return lambda text: self.line(f"[{label}] {text}")

    def flush(self) -> None:
        """Append what is pending to the run's row."""
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        text, self.pending = "".join(self.pending), []
        PipelineRun.objects.filter(pk=self.run_id).update(
            log=Concat(F("log"), Value(text), output_field=TextField())
        )
