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


class TableProgress:
    """What a table read prints: the paging line, a bar, and the closing line.

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

    def paging(self, count: int, batch: int, first_rows: int) -> None:
        """Announce a read of several pages and start the bar with the first page counted."""
        self.say(
            f"Paginating API calls to retrieve all {count} rows in the {self.noun} "
            f"in batches of {batch} rows..."
        )
        self._bar = bar(count, enabled=not self.quiet, unit="rows", unit_scale=count >= 10_000)
        self.advance(first_rows)

    def advance(self, rows: int) -> None:
        """Count rows that arrived (called from the page-fetching threads)."""
        if self._bar is not None:
            with self._lock:
                self._bar.update(rows)

    def done(self, rows: int) -> None:
        """Close the bar and print the closing line."""
        if self._bar is not None:
            self._bar.close()
        self.say(f"All {rows} rows of the {self.noun} were fetched.")
