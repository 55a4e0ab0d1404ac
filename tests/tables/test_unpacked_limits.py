"""A compressed upload may not unpack to more than ``PLUTO_MAX_UNPACKED_BYTES``: 413, naming it.

The limit holds for gzip text as it is unpacked, and for xlsx and Parquet by the sizes
their own directories declare; an xlsx workbook's shared text has a bound of its own,
because every reader holds it in memory whole.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from django.test import override_settings

from pluto.server.config import ConfigError, load_config
from pluto.server.lab.models import Experiment
from pluto.server.tables.services import current_dataset
from pluto.server.tables.unpacking import SHARED_STRINGS, XLSX_MAX_SHARED_STRINGS_BYTES
from tests.conftest import Caller
from tests.tables.conftest import Answer, parquet_bytes, put_table, xlsx_bytes

ROWS = b"sample_id,x\n" + b"".join(b"S%d,%d\n" % (i, i) for i in range(1000))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assert_unpacking_refused(answer: Answer, limit: int) -> None:
    """A 413 that names the limit and the setting."""
    assert answer.status == 413, answer.data
    assert answer.data["code"] == "payload_too_large"
    assert answer.data["details"] == {"limit": limit, "setting": "PLUTO_MAX_UNPACKED_BYTES"}
    assert f"more than {limit} bytes" in answer.data["message"]
    assert "PLUTO_MAX_UNPACKED_BYTES" in answer.data["message"]


@override_settings(MAX_UNPACKED_BYTES=len(ROWS) - 1)
def test_gzip_unpacking_past_the_limit_is_refused(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", gzip.compress(ROWS), "application/gzip")

    assert_unpacking_refused(answer, len(ROWS) - 1)
    assert current_dataset(experiment, "sample") is None


@override_settings(MAX_UNPACKED_BYTES=100)
def test_a_gzip_bomb_is_refused_while_its_header_is_read(
    ada: Caller, experiment: Experiment
) -> None:
    bomb = gzip.compress(b"sample_id" + b"," * 10_000_000)

    answer = put_table(ada, experiment, "sample", bomb, "application/gzip")

    assert_unpacking_refused(answer, 100)


@override_settings(MAX_UNPACKED_BYTES=len(ROWS))
def test_gzip_unpacking_to_exactly_the_limit_is_accepted(
    ada: Caller, experiment: Experiment
) -> None:
    answer = put_table(ada, experiment, "sample", gzip.compress(ROWS), "application/gzip")

    assert answer.status == 200, answer.data
    assert answer.data["count"] == 1000


@override_settings(MAX_UNPACKED_BYTES=10_000)
def test_plain_text_is_held_to_the_upload_limit_only(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", ROWS)

    assert answer.status == 200, answer.data


@override_settings(MAX_UNPACKED_BYTES=2_000)
def test_an_xlsx_workbook_unpacking_past_the_limit_is_refused(
    ada: Caller, experiment: Experiment
) -> None:
    rows: list[list[object]] = [["sample_id", "x"], *([f"S{i}", i] for i in range(200))]

    answer = put_table(ada, experiment, "sample", xlsx_bytes({"s": rows}), XLSX)

    assert_unpacking_refused(answer, 2_000)


def with_shared_strings(workbook: bytes, size: int) -> bytes:
    """The workbook with a shared-strings part of ``size`` bytes (compressed, it is small)."""
    body = b"<si><t>x</t></si>" * (size // 17 + 1)
    part = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr(SHARED_STRINGS, part + body + b"</sst>")
    return target.getvalue()


def test_an_xlsx_workbook_with_too_much_shared_text_is_refused(
    ada: Caller, experiment: Experiment
) -> None:
    workbook = xlsx_bytes({"s": [["sample_id"], ["S1"]]})
    bomb = with_shared_strings(workbook, XLSX_MAX_SHARED_STRINGS_BYTES)

    answer = put_table(ada, experiment, "sample", bomb, XLSX)

    assert answer.status == 413, answer.data
    assert answer.data["details"] == {
        "limit": XLSX_MAX_SHARED_STRINGS_BYTES,
        "part": SHARED_STRINGS,
    }
    assert "CSV" in answer.data["message"]


@override_settings(MAX_UNPACKED_BYTES=1_000)
def test_a_parquet_file_declaring_more_than_the_limit_is_refused(
    ada: Caller, experiment: Experiment
) -> None:
    table = pa.table({"sample_id": [f"S{i}" for i in range(1000)], "x": list(range(1000))})

    answer = put_table(ada, experiment, "sample", parquet_bytes(table), "application/octet-stream")

    assert_unpacking_refused(answer, 1_000)


def test_the_unpacked_limit_defaults_to_ten_times_the_upload_limit(tmp_path: Path) -> None:
    environ = {"PLUTO_DATA_DIR": str(tmp_path / "data"), "PLUTO_MAX_UPLOAD_BYTES": "1000"}

    assert load_config(environ=environ, cwd=tmp_path).max_unpacked_bytes == 10_000
    assert load_config(environ={}, cwd=tmp_path).max_unpacked_bytes == 50 * 1024**3


def test_the_unpacked_limit_is_read_strictly(tmp_path: Path) -> None:
    environ = {"PLUTO_DATA_DIR": str(tmp_path / "data"), "PLUTO_MAX_UNPACKED_BYTES": "2_000"}
    assert load_config(environ=environ, cwd=tmp_path).max_unpacked_bytes == 2000

    with pytest.raises(ConfigError, match="PLUTO_MAX_UNPACKED_BYTES"):
        load_config(environ={**environ, "PLUTO_MAX_UNPACKED_BYTES": "lots"}, cwd=tmp_path)
