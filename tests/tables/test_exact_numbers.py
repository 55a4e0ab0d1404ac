"""Numbers are stored exactly, or refused: never rounded through a float or wrapped around.

A float holds every integer only up to 2**53; raw counts are int64, so 2**53 + 1 and
2**63 - 1 must come back exactly in every format, while 2**63, ``1e20`` and
``1.0000000000000001`` are refused with the row, the column and the value.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pluto.server.lab.models import AssayUnits, Experiment
from tests.conftest import Caller
from tests.tables.conftest import Answer, get_table, parquet_bytes, put_table, xlsx_bytes

LARGEST = 2**63 - 1
SMALLEST = -(2**63)
PAST_FLOATS = 2**53 + 1
READ_FORMATS = ["json", "csv", "tsv", "arrow", "parquet"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARQUET = "application/vnd.apache.parquet"


def read_column(caller: Caller, experiment: Experiment, kind: str, fmt: str) -> list[Any]:
    """The second column of the current table, read over the API in ``fmt``."""
    answer = get_table(caller, experiment, kind, f"format={fmt}")
    assert answer.status == 200, answer.body[:500]
    if fmt == "json":
        return [list(item.values())[1] for item in answer.data["items"]]
    if fmt in {"csv", "tsv"}:
        separator = "," if fmt == "csv" else "\t"
        lines = answer.body.decode().splitlines()[1:]
        return [int(line.split(separator)[1]) for line in lines]
    if fmt == "arrow":
        return pa.ipc.open_stream(answer.body).read_all().column(1).to_pylist()
    return pq.read_table(io.BytesIO(answer.body)).column(1).to_pylist()


def problem_of(answer: Answer) -> tuple[str, int, str, str]:
    """Kind, row, column and value of the only problem of a 400 answer."""
    assert answer.status == 400, answer.data
    assert answer.data["code"] == "invalid"
    (problem,) = answer.data["details"]["problems"]
    return problem["kind"], problem["row"], problem["column"], problem["value"]


def with_units(experiment: Experiment, units: str) -> Experiment:
    """The experiment with other assay units."""
    experiment.assay_units = AssayUnits.objects.get(shortname=units)
    experiment.save()
    return experiment


def test_the_largest_counts_are_stored_and_read_back_exactly_as_csv(
    ada: Caller, experiment: Experiment
) -> None:
    body = b"gene_symbol,a\nG1,9223372036854775807\nG2,9007199254740993\n"
    base = f"/lab/experiments/{experiment.pluto_id}/assay-data/"
    put = ada.client.put(
        base + "?filename=x.csv",
        data=body,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )
    read = ada.client.get(base + "?format=csv", HTTP_AUTHORIZATION=f"Token {ada.key}")

    assert put.status_code == 200
    text = b"".join(read.streaming_content) if read.streaming else read.content
    assert b"G1,9223372036854775807\n" in text
    assert b"G2,9007199254740993\n" in text


@pytest.mark.parametrize("fmt", READ_FORMATS)
def test_counts_beyond_float_precision_read_back_exactly_in_every_format(
    ada: Caller, experiment: Experiment, fmt: str
) -> None:
    body = f"gene_symbol,a\nG1,{LARGEST}\nG2,{PAST_FLOATS}\nG3,0\n".encode()
    assert put_table(ada, experiment, "assay", body).status == 200

    assert read_column(ada, experiment, "assay", fmt) == [LARGEST, PAST_FLOATS, 0]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("9223372036854775808", "out_of_range"),
        ("18446744073709551616", "out_of_range"),
        ("1e20", "out_of_range"),
        ("9.3e18", "out_of_range"),
        ("1.0000000000000001", "not_integer"),
        ("12.000000000000000000000001", "not_integer"),
        ("1.25e1", "not_integer"),
        ("1e-30", "not_integer"),
    ],
)
def test_counts_that_are_not_exact_int64_values_are_refused(
    ada: Caller, experiment: Experiment, value: str, kind: str
) -> None:
    body = f"gene_symbol,a\nG1,5\nG2,{value}\n".encode()

    answer = put_table(ada, experiment, "assay", body)

    assert problem_of(answer) == (kind, 3, "a", value)
    assert f"line 3, column 'a': '{value}'" in answer.data["message"]


def test_the_refusal_of_a_too_large_count_names_the_int64_range(
    ada: Caller, experiment: Experiment
) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,a\nG1,9223372036854775808\n")

    assert "9223372036854775807" in answer.data["message"]
    assert answer.data["details"]["counts"] == {"out_of_range": 1}


def test_whole_counts_written_as_decimals_or_with_exponents_are_stored_exactly(
    ada: Caller, experiment: Experiment
) -> None:
    values = ["12.0", "1e3", "1.5e1", "+7", " 8 ", "9.223372036854775807e18", "0.000", "1E+05"]
    rows = "".join(f"G{i},{value}\n" for i, value in enumerate(values))

    answer = put_table(ada, experiment, "assay", f"gene_symbol,a\n{rows}".encode())

    assert answer.status == 200, answer.data
    expected = [12, 1000, 15, 7, 8, LARGEST, 0, 100_000]
    assert read_column(ada, experiment, "assay", "json") == expected


def test_parquet_integer_counts_are_stored_exactly(ada: Caller, experiment: Experiment) -> None:
    table = pa.table({"gene_symbol": ["G1", "G2"], "a": pa.array([LARGEST, PAST_FLOATS])})

    answer = put_table(ada, experiment, "assay", parquet_bytes(table), PARQUET)

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "parquet") == [LARGEST, PAST_FLOATS]


@pytest.mark.parametrize(
    ("column", "kind", "shown"),
    [
        (pa.array([1, 2**63], pa.uint64()), "out_of_range", "9223372036854775808"),
        (pa.array([1.0, 1e20]), "out_of_range", "1e+20"),
        (pa.array([1.0, 2.0**63]), "out_of_range", "9.223372036854776e+18"),
        (pa.array([1.0, 2.5]), "not_integer", "2.5"),
        (pa.array(["1", "1.0000000000000001"]), "not_integer", "1.0000000000000001"),
        (pa.array(["1", "9223372036854775808"]), "out_of_range", "9223372036854775808"),
    ],
)
def test_parquet_counts_that_are_not_exact_int64_values_are_refused(
    ada: Caller, experiment: Experiment, column: pa.Array, kind: str, shown: str
) -> None:
    table = pa.table({"gene_symbol": ["G1", "G2"], "a": column})

    answer = put_table(ada, experiment, "assay", parquet_bytes(table), PARQUET)

    assert problem_of(answer) == (kind, 2, "a", shown)


def test_parquet_decimal_counts_are_read_exactly(ada: Caller, experiment: Experiment) -> None:
    exact = pa.array([LARGEST, 3], pa.decimal128(20, 0))
    table = pa.table({"gene_symbol": ["G1", "G2"], "a": exact})

    answer = put_table(ada, experiment, "assay", parquet_bytes(table), PARQUET)

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "json") == [LARGEST, 3]


def with_numbers_written(workbook: bytes, numbers: dict[int, int]) -> bytes:
    """The workbook with number cells rewritten to exact digits (openpyxl writes floats)."""
    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            for old, new in numbers.items():
                data = data.replace(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode())
            out.writestr(item, data)
    return target.getvalue()


def test_xlsx_number_cells_with_every_digit_are_stored_exactly(
    ada: Caller, experiment: Experiment
) -> None:
    workbook = xlsx_bytes({"counts": [["gene_symbol", "a"], ["G1", 111], ["G2", 222]]})
    exact = with_numbers_written(workbook, {111: LARGEST, 222: PAST_FLOATS})

    answer = put_table(ada, experiment, "assay", exact, XLSX)

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "arrow") == [LARGEST, PAST_FLOATS]


def test_xlsx_text_cells_of_counts_are_stored_exactly(ada: Caller, experiment: Experiment) -> None:
    # Excel keeps 15 significant digits in a number cell; larger counts travel as text.
    rows: list[list[object]] = [
        ["gene_symbol", "a"],
        ["G1", str(LARGEST)],
        ["G2", str(PAST_FLOATS)],
    ]

    answer = put_table(ada, experiment, "assay", xlsx_bytes({"counts": rows}), XLSX)

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "csv") == [LARGEST, PAST_FLOATS]


@pytest.mark.parametrize(
    ("cell", "kind", "shown"),
    [
        (2.0**63, "out_of_range", "9223372036854775808"),
        (1e20, "out_of_range", "100000000000000000000"),
        (str(2**63), "out_of_range", "9223372036854775808"),
        ("1.0000000000000001", "not_integer", "1.0000000000000001"),
    ],
)
def test_xlsx_counts_that_are_not_exact_int64_values_are_refused(
    ada: Caller, experiment: Experiment, cell: object, kind: str, shown: str
) -> None:
    workbook = xlsx_bytes({"counts": [["gene_symbol", "a"], ["G1", 4], ["G2", cell]]})

    answer = put_table(ada, experiment, "assay", workbook, XLSX)

    assert problem_of(answer) == (kind, 3, "a", shown)


def test_parquet_integers_of_other_units_keep_the_whole_int64_range(
    ada: Caller, experiment: Experiment
) -> None:
    with_units(experiment, "other")
    table = pa.table({"gene_symbol": ["G1", "G2"], "a": pa.array([SMALLEST, LARGEST])})

    answer = put_table(ada, experiment, "assay", parquet_bytes(table), PARQUET)

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "json") == [SMALLEST, LARGEST]


def test_text_values_of_other_units_are_stored_as_floats(
    ada: Caller, experiment: Experiment
) -> None:
    with_units(experiment, "other")

    answer = put_table(
        ada, experiment, "assay", b"gene_symbol,a\nG1,-9223372036854775808\nG2,0.5\n"
    )

    assert answer.status == 200, answer.data
    assert read_column(ada, experiment, "assay", "arrow") == [-(2.0**63), 0.5]


def test_sample_columns_of_int64_values_are_stored_as_exact_integers(
    ada: Caller, experiment: Experiment
) -> None:
    body = f"sample_id,reads\nS1,{SMALLEST}\nS2,{LARGEST}\nS3,{PAST_FLOATS}\n".encode()

    assert put_table(ada, experiment, "sample", body).status == 200

    items = get_table(ada, experiment, "sample").data["items"]
    assert [item["reads"] for item in items] == [SMALLEST, LARGEST, PAST_FLOATS]


@pytest.mark.parametrize(
    "values",
    [
        ["1", "9223372036854775808"],
        ["-9223372036854775809", "2"],
        ["0.5", "9007199254740993"],
        ["1.0000000000000001", "2"],
    ],
)
def test_sample_columns_a_number_type_cannot_hold_exactly_are_kept_as_written(
    ada: Caller, experiment: Experiment, values: list[str]
) -> None:
    rows = "".join(f"S{i},{value}\n" for i, value in enumerate(values))

    assert put_table(ada, experiment, "sample", f"sample_id,code\n{rows}".encode()).status == 200

    items = get_table(ada, experiment, "sample").data["items"]
    assert [item["code"] for item in items] == values
