"""Finding the rows that repeat an id, with bounded memory whatever the number of rows.

Each id is reduced to a 128-bit hash (two 64-bit polars hashes with different seeds), so a
row costs 24 bytes (hash and row number) however long its id, and two ids are taken to be
equal when both hashes are: for a billion rows the chance that two different ids collide
is below 1e-20. Up to ``IN_MEMORY_ROWS`` hashed rows stay in memory; past that they are
spilled to Arrow files on disk in 64 partitions by the leading bits of the hash, and a
partition that is still too large is split again by the next bits, so any number of rows
fits. Rows arrive in slices of at most ``SLICE_ROWS``, and only the first row of each id
in a slice is kept, so even a file repeating one id a billion times spills one row per
slice. The ids themselves go to one more Arrow file, read back only for the few repeats
shown as examples.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import polars as pl
import pyarrow as pa

from pluto.server.tables.problems import EXAMPLES_PER_KIND, Problems

SLICE_ROWS = 250_000
IN_MEMORY_ROWS = 1_000_000
PARTITION_BITS = 6
PARTITIONS = 2**PARTITION_BITS
HASH_BITS = 64
LEVELS = HASH_BITS // PARTITION_BITS
KEY = ["h1", "h2"]
SCHEMA = {"h1": pl.UInt64, "h2": pl.UInt64, "row": pl.Int64}


@dataclass(frozen=True, order=True)
class Repeat:
    """A row whose id an earlier row already has (both are 0-based data row indexes)."""

    row: int
    first: int


@dataclass(frozen=True)
class Repeats:
    """How many rows repeat an earlier id, and the first few of them in row order."""

    count: int
    examples: list[Repeat]


def no_rows() -> pl.DataFrame:
    """An empty frame of hashed rows."""
    return pl.DataFrame(schema=SCHEMA)


def hashed(ids: pa.Array, offset: int) -> pl.DataFrame:
    """Each present, non-empty id as (h1, h2, row)."""
    series = pl.Series("id", ids, dtype=pl.String)
    rows = pl.int_range(offset, offset + len(series), dtype=pl.Int64, eager=True)
    frame = pl.DataFrame({"h1": series.hash(seed=0), "h2": series.hash(seed=1), "row": rows})
    return frame.filter(series.is_not_null() & (series != ""))


def repeats_in(frame: pl.DataFrame, pending: pl.DataFrame, wanted: int) -> Repeats:
    """The repeats among one partition's rows, and the first rows of ``pending`` repeats.

    ``pending`` holds repeats found within a slice, whose id first appeared in a slice that
    may be earlier; the partition holding their hash knows where.
    """
    firsts = frame.with_columns(first=pl.col("row").min().over(KEY))
    repeats = firsts.filter(pl.col("row") != pl.col("first"))
    shown = repeats.sort("row").head(wanted).select("row", "first")
    known = (
        firsts.join(pending.select(KEY), on=KEY, how="semi").group_by(KEY).agg(pl.first("first"))
    )
    resolved = pending.join(known, on=KEY, how="inner").select("row", "first")
    examples = [Repeat(row, first) for row, first in pl.concat([shown, resolved]).iter_rows()]
    return Repeats(len(repeats), examples)


class Spill:
    """Hashed rows on disk, in partitions by the bits of h1 that ``level`` selects."""

    def __init__(self, folder: Path, level: int) -> None:
        self.folder = folder
        self.level = level
        self.writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
        self.counts: Counter[int] = Counter()
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, index: int) -> Path:
        """The file of one partition."""
        return self.folder / f"part-{index:02d}.arrow"

    def write(self, frame: pl.DataFrame) -> None:
        """Append rows, each to its partition's file."""
        divisor = 2 ** (HASH_BITS - PARTITION_BITS * (self.level + 1))
        part = ((pl.col("h1") // divisor) % PARTITIONS).cast(pl.Int64)
        for piece in frame.with_columns(part=part).partition_by("part"):
            index = int(piece["part"][0])
            table = piece.drop("part").to_arrow()
            self.writer(index, table.schema).write_table(table)
            self.counts[index] += len(piece)

    def writer(self, index: int, schema: pa.Schema) -> pa.ipc.RecordBatchStreamWriter:
        """The open writer of one partition."""
        if index not in self.writers:
            self.writers[index] = pa.ipc.new_stream(str(self.path(index)), schema)
        return self.writers[index]

    def close(self) -> None:
        """Finish every partition's file."""
        for writer in self.writers.values():
            writer.close()
        self.writers = {}

    def frames(self, in_memory_rows: int) -> Iterator[pl.DataFrame]:
        """Every partition as a frame small enough to hold, splitting large ones further."""
        self.close()
        for index in sorted(self.counts):
            path = self.path(index)
            if self.counts[index] <= in_memory_rows or self.level + 1 >= LEVELS:
                yield read_frame(path)
            else:
                yield from self.split(path, index, in_memory_rows)
            path.unlink(missing_ok=True)

    def split(self, path: Path, index: int, in_memory_rows: int) -> Iterator[pl.DataFrame]:
        """One partition's rows spread over partitions of the next level."""
        finer = Spill(self.folder / f"{self.level}-{index:02d}", self.level + 1)
        with pa.ipc.open_stream(pa.memory_map(str(path))) as reader:
            for batch in reader:
                finer.write(frame_of(batch))
        path.unlink()
        yield from finer.frames(in_memory_rows)


def frame_of(data: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """Arrow rows as a polars frame."""
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame


def read_frame(path: Path) -> pl.DataFrame:
    """A partition's file as one frame."""
    with pa.ipc.open_stream(pa.memory_map(str(path))) as reader:
        return frame_of(reader.read_all())


class IdTexts:
    """The ids as written, in an Arrow file, to show the value of a repeated row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: pa.ipc.RecordBatchFileWriter | None = None
        self.starts: list[int] = []
        self.rows = 0

    def write(self, ids: pa.Array) -> None:
        """Append the next rows' ids."""
        batch = pa.record_batch([ids.cast(pa.string())], names=["id"])
        if self.writer is None:
            self.writer = pa.ipc.new_file(str(self.path), batch.schema)
        self.writer.write_batch(batch)
        self.starts.append(self.rows)
        self.rows += len(ids)

    def close(self) -> None:
        """Finish the file."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def value(self, row: int) -> str:
        """The id of data row ``row``."""
        self.close()
        index = bisect.bisect_right(self.starts, row) - 1
        with pa.ipc.open_file(pa.memory_map(str(self.path))) as reader:
            return str(reader.get_batch(index).column(0)[row - self.starts[index]].as_py())


class RepeatedIds:
    """Takes a table's ids block by block and finds the rows that repeat an earlier id."""

    def __init__(self, folder: Path, in_memory_rows: int = IN_MEMORY_ROWS) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.in_memory_rows = in_memory_rows
        self.rows = 0
        self.kept: list[pl.DataFrame] = []
        self.kept_rows = 0
        self.spill: Spill | None = None
        self.pending: list[pl.DataFrame] = []
        self.pending_count = 0
        self.texts = IdTexts(folder / "ids.arrow")

    def __enter__(self) -> RepeatedIds:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def found_some(self) -> bool:
        """Whether a repeated id has been seen already (within a block of rows); the table is
        refused then, whatever the rest of the file holds."""
        return self.pending_count > 0

    def add(self, ids: pa.Array) -> None:
        """The next rows' ids, trimmed; missing and empty ids repeat nothing."""
        self.texts.write(ids)
        for start in range(0, len(ids), SLICE_ROWS):
            self.add_slice(ids.slice(start, SLICE_ROWS), self.rows + start)
        self.rows += len(ids)

    def add_slice(self, ids: pa.Array, offset: int) -> None:
        """Count the repeats within a slice; keep the first row of each of its ids."""
        frame = hashed(ids, offset)
        first = frame.select(pl.struct(KEY).is_first_distinct()).to_series()
        repeats = (~first).arg_true()
        self.pending_count += len(repeats)
        if len(repeats) and sum(map(len, self.pending)) < EXAMPLES_PER_KIND:
            self.pending.append(frame[repeats.head(EXAMPLES_PER_KIND)])
        # Taken by position: a filtered frame can hold on to the whole slice's buffers.
        self.keep(frame[first.arg_true()])

    def keep(self, frame: pl.DataFrame) -> None:
        """Hold hashed rows in memory while they are few, on disk after that."""
        if self.spill is None and self.kept_rows + len(frame) <= self.in_memory_rows:
            self.kept.append(frame)
            self.kept_rows += len(frame)
            return
        if self.spill is None:
            self.spill = Spill(self.folder / "spill", level=0)
            for kept in self.kept:
                self.spill.write(kept)
            self.kept = []
        self.spill.write(frame)

    def partitions(self) -> Iterator[pl.DataFrame]:
        """The kept rows in parts that each hold every row of their ids."""
        if self.spill is None:
            yield pl.concat(self.kept) if self.kept else no_rows()
            return
        yield from self.spill.frames(self.in_memory_rows)

    def repeats(self) -> Repeats:
        """Every repeat counted, and the first few with the row where their id first was."""
        pending = pl.concat(self.pending) if self.pending else no_rows()
        parts = [repeats_in(part, pending, EXAMPLES_PER_KIND) for part in self.partitions()]
        examples = sorted(example for part in parts for example in part.examples)
        count = self.pending_count + sum(part.count for part in parts)
        return Repeats(count, examples[:EXAMPLES_PER_KIND])

    def value(self, row: int) -> str:
        """The id of data row ``row``."""
        return self.texts.value(row)

    def close(self) -> None:
        """Close the files (the caller's folder removes them)."""
        self.texts.close()
        if self.spill is not None:
            self.spill.close()


def report_duplicate_ids(repeated: RepeatedIds, column: str, problems: Problems) -> None:
    """Record every row whose id an earlier row already has."""
    found = repeated.repeats()
    if not found.count:
        return
    shown = found.examples[: problems.examples_wanted("duplicate_id")]
    for repeat in shown:
        first = problems.rows.of(repeat.first)
        why = f"appears more than once (first on {problems.rows.word} {first}); ids must be unique"
        problems.add_example("duplicate_id", column, repeated.value(repeat.row), repeat.row, why)
    problems.counts["duplicate_id"] += found.count - len(shown)
