"""Issue 3, benchmark 3: a generated 60,000 x 2,000 count matrix, up and down.

The matrix is uploaded as one streamed CSV body into a new experiment of the demo project,
while the server's peak memory is watched; then one page of 10,000 rows is fetched as Arrow
several times, and 20 different pages one after another with the server's memory read
after each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import requests

from bench.harness import Context, Row, Target, benchmark
from bench.matrix_file import MatrixSize, write_matrix, write_samples
from bench.memory import peak_bytes, reset_peak, resident_bytes
from bench.rows import MB, info_row, megabytes, memory_row, slower_row, time_row
from bench.server import RunningServer
from bench.tables import arrow_page, checked, covering_rows, stored_parquet, table_url
from bench.timing import interleaved_medians, seconds_of

FULL = MatrixSize(genes=60_000, samples=2_000, page_rows=10_000)
QUICK = MatrixSize(genes=6_000, samples=200, page_rows=1_000)
PAGES = 20
# Blocks of a few thousand rows, so the local Parquet file gets full-sized row groups.
LOCAL_BLOCK = 64 * 1024 * 1024
DOWNLOAD_BLOCK = 1024 * 1024
PEAK_TARGET = Target(2048, " MB")
PAGE_TARGET = Target(150, " ms")
GROWTH_TARGET = Target(100, " MB")
EXPERIMENT = {
    "project": "PLXP00286",
    "name": "Big matrix",
    "type": "rnaseq",
    "organism": "human",
    "assay_data_units": "raw_counts",
}


@dataclass(frozen=True)
class Upload:
    """How the matrix upload went: its duration and the server's peak memory around it."""

    seconds: float
    peak_before: int
    peak_after: int
    peak_reset: bool


def create_experiment(session: requests.Session, server: RunningServer) -> str:
    """A new experiment in the demo project; its id."""
    created = checked(session.post(server.api("lab/experiments/"), json=EXPERIMENT)).json()
    return str(created["pluto_id"])


def put_csv(session: requests.Session, url: str, path: Path) -> None:
    """Upload a CSV file as the request body, streamed from disk."""
    with path.open("rb") as body:
        headers = {"Content-Type": "text/csv"}
        checked(session.put(url, params={"filename": path.name}, data=body, headers=headers))


def upload_matrix(server: RunningServer, experiment: str, path: Path) -> Upload:
    """Upload the matrix, reading the server's peak memory before and after."""
    reset = reset_peak(server.pid)
    before = peak_bytes(server.pid)
    seconds = seconds_of(lambda: put_csv(server.session(), table_url(server, experiment), path))
    return Upload(seconds, before, peak_bytes(server.pid), reset)


def local_conversion(csv_path: Path, parquet_path: Path) -> float:
    """Seconds to stream the CSV into Parquet locally with pyarrow (no validation)."""
    started = time.perf_counter()
    reader = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=LOCAL_BLOCK))
    with pq.ParquetWriter(parquet_path, reader.schema, compression="snappy") as writer:
        for batch in reader:
            writer.write_batch(batch, row_group_size=10_000)
    return time.perf_counter() - started


def page_offsets(size: MatrixSize) -> list[int]:
    """Twenty different page offsets spread over the whole matrix."""
    last = size.genes - size.page_rows
    return [index * last // (PAGES - 1) for index in range(PAGES)]


@dataclass(frozen=True)
class PageMemory:
    """The server's memory around twenty different pages."""

    before: int
    after_each: list[int]
    peak: int


def memory_over_pages(server: RunningServer, url: str, size: MatrixSize) -> PageMemory:
    """Fetch twenty different pages, reading the server's resident memory after each."""
    session, before, after_each = server.session(), resident_bytes(server.pid), []
    reset_peak(server.pid)
    for offset in page_offsets(size):
        arrow_page(session, url, {"limit": size.page_rows, "offset": offset})
        after_each.append(resident_bytes(server.pid))
    return PageMemory(before, after_each, peak_bytes(server.pid))


def download_peak(server: RunningServer, experiment: str) -> tuple[int, int]:
    """The server's peak memory while the whole matrix is downloaded as Parquet; its size."""
    url = f"{table_url(server, experiment)}download/"
    answer = checked(server.session().get(url, params={"format": "parquet"})).json()
    reset_peak(server.pid)
    with checked(requests.get(answer["url"], stream=True)) as response:
        size = sum(len(block) for block in response.iter_content(DOWNLOAD_BLOCK))
    return peak_bytes(server.pid), size


@benchmark("big_matrix", "a generated count matrix: upload, Arrow pages, memory (issue 3, #3)")
def big_matrix(context: Context) -> list[Row]:
    """Upload the matrix, time one Arrow page, and watch memory over twenty pages."""
    size, server = (QUICK if context.quick else FULL), context.server
    csv_path, file_size = prepared_files(context, size)
    experiment = create_experiment(server.session(), server)
    put_csv(
        server.session(), table_url(server, experiment, "sample"), context.workdir / "samples.csv"
    )
    upload = upload_matrix(server, experiment, csv_path)
    local = local_conversion(csv_path, context.workdir / "local.parquet")
    page = page_time_row(context, experiment, size)
    memory = memory_over_pages(server, table_url(server, experiment), size)
    peak, download_size = download_peak(server, experiment)
    download = memory_row(
        "server peak memory during the Parquet download",
        peak,
        f"file: {megabytes(download_size)}, VmRSS before: {megabytes(memory.after_each[-1])}",
    )
    return [*upload_rows(size, file_size, upload, local), page, *memory_rows(memory), download]


def prepared_files(context: Context, size: MatrixSize) -> tuple[Path, int]:
    """The matrix CSV and the sample table in the scratch folder; the matrix's size."""
    write_samples(context.workdir / "samples.csv", size.samples)
    csv_path = context.workdir / "big.csv"
    return csv_path, write_matrix(csv_path, size)


def upload_rows(size: MatrixSize, file_size: int, upload: Upload, local: float) -> list[Row]:
    """The upload's duration and the server's peak memory during it."""
    rate = f"{file_size / MB / upload.seconds:.0f} MB/s"
    before = "VmHWM reset to" if upload.peak_reset else "VmHWM before"
    return [
        info_row(f"CSV matrix {size.label()}", megabytes(file_size)),
        slower_row(
            f"upload, one streamed PUT ({rate})",
            upload.seconds,
            "local pyarrow CSV -> Parquet",
            local,
        ),
        memory_row(
            "server peak memory during upload (VmHWM)",
            upload.peak_after,
            f"{before} {megabytes(upload.peak_before)}",
            "",
            PEAK_TARGET,
        ),
    ]


def page_time_row(context: Context, experiment: str, size: MatrixSize) -> Row:
    """One page from the middle of the matrix over HTTP, against reading its rows locally."""
    server, session = context.server, context.server.session()
    url, path = table_url(server, experiment), stored_parquet(server, experiment)
    offset = size.genes // 2 // size.page_rows * size.page_rows
    params = {"limit": size.page_rows, "offset": offset}
    served_page, local_page = (
        partial(arrow_page, session, url, params),
        partial(covering_rows, path, offset, size.page_rows),
    )
    if not served_page().equals(local_page()):
        raise RuntimeError("The Arrow page differs from the stored rows.")
    repeats = 3 if context.quick else 9
    served, local = interleaved_medians([served_page, local_page], repeats)
    figure = f"{size.page_rows:,}-row Arrow page, read (median of {repeats})"
    return time_row(figure, served, "local read of the same rows", local, PAGE_TARGET)


def memory_rows(memory: PageMemory) -> list[Row]:
    """Resident memory after the first and last of the twenty pages, its spread and peak."""
    first, last = memory.after_each[0], memory.after_each[-1]
    spread = max(memory.after_each) - min(memory.after_each)
    return [
        memory_row(
            f"server VmRSS after page 1 of {PAGES}", first, f"before: {megabytes(memory.before)}"
        ),
        memory_row(
            f"server VmRSS after page {PAGES}",
            last,
            f"after page 1: {megabytes(first)}",
            f"{(last - first) / MB:+,.0f} MB",
        ),
        memory_row(f"VmRSS spread over {PAGES} pages (max - min)", spread, "", "", GROWTH_TARGET),
        memory_row(f"server peak memory over {PAGES} pages (VmHWM)", memory.peak),
    ]
