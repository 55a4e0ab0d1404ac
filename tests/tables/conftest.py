"""Helpers for the tables tests: an experiment, uploads and reads over HTTP."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project

SAMPLE_CSV = b"sample_id,condition,replicate\nS1,treated,1\nS2,control,2\nS3,treated,3\n"
ASSAY_CSV = b"gene_symbol,S1,S2,S3\nACTB,10,20,30\nMARCH1,0,5,\nSEPT2,7,8,9\n1-Dec,1,2,3\n"


@dataclass
class Answer:
    """A response with its whole body and, for JSON, the parsed data."""

    status: int
    body: bytes
    headers: dict[str, str]
    data: Any


def answer_of(response: Any) -> Answer:
    """Read a (possibly streamed) test client response completely."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    is_json = response.get("Content-Type", "").startswith("application/json")
    data = json.loads(body) if is_json and body else None
    headers = {key.lower(): value for key, value in response.items()}
    return Answer(response.status_code, body, headers, data)


def table_path(experiment: Experiment, kind: str, suffix: str = "") -> str:
    """``/lab/experiments/<id>/<kind>-data/<suffix>``."""
    return f"/lab/experiments/{experiment.pluto_id}/{kind}-data/{suffix}"


def put_table(
    caller: Caller,
    experiment: Experiment,
    kind: str,
    data: bytes,
    content_type: str = "text/csv",
    query: str = "",
) -> Answer:
    """PUT a file as the raw request body."""
    path = table_path(experiment, kind) + (f"?{query}" if query else "")
    response = caller.client.put(
        path, data=data, content_type=content_type, HTTP_AUTHORIZATION=f"Token {caller.key}"
    )
    return answer_of(response)


def get_table(
    caller: Caller,
    experiment: Experiment,
    kind: str,
    query: str = "",
    suffix: str = "",
    **headers: str,
) -> Answer:
    """GET a table page, or the path ``suffix`` under the table (``download/``...)."""
    path = table_path(experiment, kind, suffix) + (f"?{query}" if query else "")
    response = caller.client.get(path, HTTP_AUTHORIZATION=f"Token {caller.key}", **headers)
    return answer_of(response)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with the given sheets (the first is the first sheet)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """An RNA-seq experiment of raw counts owned by ada."""
    return make_experiment(ada.user, make_project(ada.user))
