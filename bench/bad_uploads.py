"""Bad uploads never exhaust memory: the server's peak memory while it refuses them.

Three files, each uploaded as one streamed PUT into a new raw-count experiment of the demo
project, each refused with a 400; the server's peak resident memory (VmHWM, reset before
each upload) is read around it and held against 500 MB:

- a gzip bomb: a few MB of gzip that unpacks to a gigabyte of rows, every one repeating
  the id of the first (within ``PLUTO_MAX_UNPACKED_BYTES``, so all of it is read);
- a long file of unique ids (more than the duplicate check keeps in memory) whose last
  row repeats the first id;
- a file whose second data line is longer than the reader's 32 MiB blocks.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.big_matrix import create_experiment
from bench.harness import Context, Row, Target, benchmark
from bench.memory import peak_bytes, reset_peak, resident_bytes
from bench.rows import MB, info_row, megabytes, memory_row, ms
from bench.server import RunningServer
from bench.tables import table_url

PEAK_TARGET = Target(500, " MB")
CHUNK = 4 * MB
HEADER = b"gene_symbol,S1\n"


@dataclass(frozen=True)
class Sizes:
    """How big each bad file is."""

    bomb_bytes: int
    unique_rows: int
    long_line_bytes: int


FULL = Sizes(bomb_bytes=1024 * MB, unique_rows=20_000_000, long_line_bytes=100 * MB)
QUICK = Sizes(bomb_bytes=64 * MB, unique_rows=1_200_000, long_line_bytes=70 * MB)


@dataclass(frozen=True)
class Refusal:
    """One bad upload: its answer, how long it took, and the server's memory around it."""

    status: int
    reason: str
    seconds: float
    resting: int
    peak: int
    peak_reset: bool


def write_bomb(path: Path, unpacked: int) -> int:
    """A gzip file of ``unpacked`` bytes of rows all naming gene G1; its size on disk."""
    block = HEADER + b"G1,1\n" * (CHUNK // 5)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        for _ in range(max(1, unpacked // len(block))):
            out.write(packer.compress(block))
            block = b"G1,1\n" * (CHUNK // 5)
        out.write(packer.flush())
    return path.stat().st_size


def write_unique(path: Path, rows: int) -> int:
    """``rows`` unique genes, then the first gene again; the file's size."""
    with path.open("wb") as out:
        out.write(HEADER)
        for start in range(0, rows, 100_000):
            stop = min(rows, start + 100_000)
            out.write("".join(f"G{n},{n % 97}\n" for n in range(start, stop)).encode())
        out.write(b"G0,1\n")
    return path.stat().st_size


def write_long_line(path: Path, length: int) -> int:
    """One ordinary row, then a row of ``length`` digits, then one more row; the size."""
    with path.open("wb") as out:
        out.write(HEADER + b"G1,1\nG2,")
        for _ in range(length // CHUNK):
            out.write(b"7" * CHUNK)
        out.write(b"\nG3,3\n")
    return path.stat().st_size


def refused(server: RunningServer, path: Path) -> Refusal:
    """PUT the file into a new experiment and read the server's memory around it."""
    session = server.session()
    url = table_url(server, create_experiment(session, server))
    resting = resident_bytes(server.pid)
    reset = reset_peak(server.pid)
    started = time.perf_counter()
    with path.open("rb") as body:
        answer = session.put(url, params={"filename": path.name}, data=body)
    seconds = time.perf_counter() - started
    return Refusal(
        answer.status_code, reason_of(answer), seconds, resting, peak_bytes(server.pid), reset
    )


def reason_of(answer: requests.Response) -> str:
    """What the error says, in brief: its problem kinds or its reason."""
    details = answer.json().get("details", {}) if answer.content else {}
    if "counts" in details:
        return ", ".join(f"{kind} x{count:,}" for kind, count in details["counts"].items())
    return str(details.get("reason", answer.json().get("code", "")))


def refusal_rows(name: str, size: str, refusal: Refusal) -> list[Row]:
    """The answer and its time, then the peak memory against the resting memory."""
    if refusal.status != 400:
        raise RuntimeError(f"The {name} was answered {refusal.status}, not 400.")
    before = "VmHWM reset from VmRSS" if refusal.peak_reset else "VmRSS before (VmHWM not reset)"
    growth = f"{(refusal.peak - refusal.resting) / MB:+,.0f} MB"
    return [
        info_row(f"{name}: {size}", f"400 in {ms(refusal.seconds)}", refusal.reason),
        memory_row(
            f"{name}: server peak memory (VmHWM)",
            refusal.peak,
            f"{before}: {megabytes(refusal.resting)}",
            growth,
            PEAK_TARGET,
        ),
    ]


def cases(sizes: Sizes, workdir: Path) -> list[tuple[str, Callable[[Path], str], Path]]:
    """Each bad file: its name, how to write it (returning its size in words), its path."""

    def bomb(path: Path) -> str:
        return f"{megabytes(write_bomb(path, sizes.bomb_bytes))} unpacking to " + megabytes(
            sizes.bomb_bytes
        )

    def unique(path: Path) -> str:
        return f"{sizes.unique_rows:,} rows, {megabytes(write_unique(path, sizes.unique_rows))}"

    def long_line(path: Path) -> str:
        return f"line 3 of {megabytes(write_long_line(path, sizes.long_line_bytes))}"

    return [
        ("gzip bomb", bomb, workdir / "bomb.csv.gz"),
        ("one repeated id at the end", unique, workdir / "unique.csv"),
        ("one very long line", long_line, workdir / "long.csv"),
    ]


@benchmark("bad_uploads", "bad uploads are refused with bounded server memory")
def bad_uploads(context: Context) -> list[Row]:
    """Upload each bad file and report the server's peak memory while refusing it."""
    sizes = QUICK if context.quick else FULL
    rows: list[Row] = []
    for name, write, path in cases(sizes, context.workdir):
        size = write(path)
        rows += refusal_rows(name, size, refused(context.server, path))
        path.unlink()
    return rows
