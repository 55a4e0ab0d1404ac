"""Progress on stderr: the R client's messages for table reads, and tqdm bars on a terminal."""

from __future__ import annotations

import sys
import threading
from typing import Any

from tqdm import tqdm


def on_terminal() -> bool:
    """Whether stderr is a terminal (bars only make sense there)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def bar(total: float | None, *, enabled: bool, **options: Any) -> tqdm[Any]:
    """A tqdm bar on stderr, drawn only when ``enabled`` and stderr is a terminal."""
    return tqdm(total=total, disable=not (enabled and on_terminal()), file=sys.stderr, **options)


def batch_line(offset: int, batch: int, count: int) -> str:
    """``Fetching rows 10001 to 20001...``: the R client's words for the page at ``offset``.

    The first row is counted from 1 and the second number is that plus the batch size,
    never past the last row, exactly as Pluto's R package prints it.
    """
    first = offset + 1
    return f"Fetching rows {first} to {min(first + batch, count)}..."


class TableProgress:
    """What a table read prints: the paging lines and a bar, or one closing line.

    ``noun`` is ``"sample data"``, ``"assay data"`` or ``"results"``, as in the R client.
    """

    def __init__(self, noun: str, quiet: bool) -> None:
        self.noun = noun
        self.quiet = quiet
        self._bar: tqdm[Any] | None = None
        self._lock = threading.Lock()

    def say(self, line: str) -> None:
        """One line on stderr, unless quiet."""
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def paging(self, count: int, batch: int, offsets: list[int]) -> None:
        """Announce a read of several pages and each later batch, then start the bar.

        The pages are fetched in parallel, so each batch's line is printed, in order, as
        its request is handed out rather than when it happens to start.
        """
        self.say(
            f"Paginating API calls to retrieve all {count} rows in the {self.noun} "
            f"in batches of {batch} rows..."
        )
        for offset in offsets:
            self.say(batch_line(offset, batch, count))
        self._bar = bar(count, enabled=not self.quiet, unit="rows", unit_scale=count >= 10_000)
        self.advance(batch)

    def advance(self, rows: int) -> None:
        """Count rows that arrived (called from the page-fetching threads)."""
        if self._bar is not None:
            with self._lock:
                self._bar.update(rows)

    def done(self, rows: int) -> None:
        """Close the bar; a read of one page says how many rows it got instead."""
        if self._bar is not None:
            self._bar.close()
            return
        self.say(f"All {rows} rows of the {self.noun} were fetched.")
