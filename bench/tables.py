"""Tables as a client and as the local disk see them: pages over HTTP, stored Parquet files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import requests

from bench.server import RunningServer

ARROW = "application/vnd.apache.arrow.stream"
DEMO_EXPERIMENT = "PLX140206"


def table_url(server: RunningServer, experiment: str, kind: str = "assay") -> str:
    """The URL of an experiment's ``sample-data/`` or ``assay-data/`` endpoint."""
    return server.api(f"lab/experiments/{experiment}/{kind}-data/")


def checked(response: requests.Response) -> requests.Response:
    """The response, or an error that shows the server's JSON error body."""
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.text[:500]}")
    return response


def arrow_page(session: requests.Session, url: str, params: dict[str, Any]) -> pa.Table:
    """A page asked for as an Arrow stream, read from the socket into a table."""
    response = checked(session.get(url, params=params, headers={"Accept": ARROW}, stream=True))
    with response:
        return pa.ipc.open_stream(response.raw).read_all()


def stored_parquet(server: RunningServer, experiment: str, kind: str = "assay") -> Path:
    """The current stored Parquet file of an experiment's table, in the data directory.

    Versions are immutable files, so the newest file in the table's folder is the current one.
    """
    uuid = checked(server.session().get(server.api(f"lab/experiments/{experiment}/"))).json()
    folder = server.data_dir / "objects" / "datasets" / uuid["uuid"] / kind
    files = sorted(folder.glob("*.parquet"), key=lambda path: path.stat().st_mtime)
    if not files:
        raise RuntimeError(f"No stored {kind} table of {experiment} under {folder}.")
    return files[-1]


def covering_groups(metadata: pq.FileMetaData, offset: int, limit: int) -> tuple[list[int], int]:
    """The row groups that hold rows ``offset`` to ``offset + limit``, and the first one's start."""
    groups, starts, row = [], [], 0
    for index in range(metadata.num_row_groups):
        size = metadata.row_group(index).num_rows
        if row + size > offset and row < offset + limit:
            groups.append(index)
            starts.append(row)
        row += size
    return groups, starts[0] if starts else 0


def covering_rows(path: Path, offset: int, limit: int) -> pa.Table:
    """Rows ``offset`` to ``offset + limit`` read from only the row groups that hold them."""
    parquet = pq.ParquetFile(path)
    groups, start = covering_groups(parquet.metadata, offset, limit)
    return parquet.read_row_groups(groups).slice(offset - start, limit)
