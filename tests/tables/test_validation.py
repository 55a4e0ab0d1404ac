"""Every way an upload can be wrong: a 400 naming the row, column and value (or a 413)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.lab.models import AssayUnits, Experiment
from pluto.server.tables.receiving import copy_limited, save_body
from pluto.server.tables.services import current_dataset
from pluto.server.tables.sources import CSV_BLOCK_BYTES, HEADER_BLOCK_BYTES
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, Answer, put_table


def problems_of(answer: Answer) -> list[dict[str, Any]]:
    """The listed problems of a 400 answer."""
    assert answer.status == 400, answer.data
    assert answer.data["code"] == "invalid"
    return list(answer.data["details"]["problems"])


def first_problem(answer: Answer) -> tuple[str, int | None, str | None, str | None]:
    """Kind, row, column and value of the first problem listed."""
    problem = problems_of(answer)[0]
    return problem["kind"], problem["row"], problem["column"], problem["value"]


def with_units(experiment: Experiment, units: str) -> Experiment:
    """The experiment with other assay units."""
    experiment.assay_units = AssayUnits.objects.get(shortname=units)
    experiment.save()
    return experiment


def test_sample_table_without_sample_id_column(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"name,condition\nS1,treated\n")

    assert answer.status == 400
    assert "sample_id" in answer.data["message"]
    assert answer.data["details"]["found"] == ["name", "condition"]


def test_empty_sample_id_names_its_line(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"sample_id,x\nS1,1\n  ,2\nS3,3\n")

    assert first_problem(answer) == ("empty_id", 3, "sample_id", "")
    assert "line 3" in answer.data["message"]


def test_duplicate_sample_ids_name_both_lines(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"sample_id,x\nS1,1\nS2,2\nS1,3\n")

    assert first_problem(answer) == ("duplicate_id", 4, "sample_id", "S1")
    assert "first on line 2" in answer.data["message"]


def test_assay_first_column_must_be_gene_symbol(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene,S1\nACTB,1\n")

    assert answer.status == 400
    assert answer.data["details"] == {"row": 1, "column": "gene", "expected": "gene_symbol"}


def test_gene_symbol_in_any_case_is_accepted(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"Gene_Symbol,S1\nACTB,1\n")

    assert answer.status == 200
    assert answer.data["headers"] == ["gene_symbol", "S1"]


def test_peak_based_experiments_need_peak_id(ada: Caller) -> None:
    atac = make_experiment(ada.user, make_project(ada.user), type="atacseq")

    wrong = put_table(ada, atac, "assay", b"gene_symbol,S1\nACTB,1\n")
    right = put_table(ada, atac, "assay", b"Peak_ID,S1\nchr1:100-200,1\n")

    assert wrong.status == 400
    assert wrong.data["details"]["expected"] == "peak_id"
    assert right.status == 200
    assert right.data["headers"] == ["peak_id", "S1"]


def test_empty_and_duplicate_feature_ids(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,1\n,2\nACTB,3\n")

    problems = problems_of(answer)
    assert [(p["kind"], p["row"], p["value"]) for p in problems] == [
        ("empty_id", 3, None),
        ("duplicate_id", 4, "ACTB"),
    ]


def test_non_numeric_value_names_row_column_and_value(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1,S2\nACTB,1,2\nGAPDH,3,lots\n")

    assert first_problem(answer) == ("not_numeric", 3, "S2", "lots")
    assert "line 3, column 'S2': 'lots' is not a number" in answer.data["message"]


def test_many_bad_values_show_five_and_count_all(ada: Caller, experiment: Experiment) -> None:
    rows = "".join(f"G{i},x{i}\n" for i in range(8))
    answer = put_table(ada, experiment, "assay", f"gene_symbol,S1\n{rows}".encode())

    assert len(problems_of(answer)) == 5
    assert answer.data["details"]["counts"] == {"not_numeric": 8}
    assert answer.data["details"]["total"] == 8
    assert "and 3 more" in answer.data["message"]


@pytest.mark.parametrize("units", ["raw_counts", "expected_counts"])
def test_counts_may_not_be_negative(ada: Caller, experiment: Experiment, units: str) -> None:
    with_units(experiment, units)

    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,4\nGAPDH,-1\n")

    assert first_problem(answer) == ("negative", 3, "S1", "-1")


def test_other_units_may_be_negative_and_fractional(ada: Caller, experiment: Experiment) -> None:
    with_units(experiment, "other")

    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,-1.25\n")

    assert answer.status == 200


def test_raw_counts_must_be_whole_numbers(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,4\nGAPDH,2.5\n")

    assert first_problem(answer) == ("not_integer", 3, "S1", "2.5")


def test_expected_counts_may_be_fractional(ada: Caller, experiment: Experiment) -> None:
    with_units(experiment, "expected_counts")

    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,2.5\n")

    assert answer.status == 200


def test_entirely_empty_sample_column(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1,S2\nACTB,1,\nGAPDH,2,NA\n")

    assert first_problem(answer) == ("empty_column", None, "S2", None)


def test_ragged_rows_name_their_lines(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1,S2\nA,1,2\nB,3\nC,4,5,6\n")

    problems = problems_of(answer)
    assert [(p["kind"], p["row"]) for p in problems] == [("ragged_row", 3), ("ragged_row", 4)]
    assert "line 3: has 2 values but the header has 3 columns" in answer.data["message"]


def test_rows_after_a_ragged_row_keep_their_line_numbers(
    ada: Caller, experiment: Experiment
) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1\nA,1\nB,2,9\nC,x\n")

    problems = problems_of(answer)
    assert [(p["kind"], p["row"]) for p in problems] == [("ragged_row", 3), ("not_numeric", 4)]


def test_duplicate_column_names(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1,S2,S1\nA,1,2,3\n")

    assert answer.status == 400
    assert answer.data["details"] == {"row": 1, "columns": ["S1"]}


def test_unnamed_column(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"sample_id,,x\nS1,1,2\n")

    assert answer.status == 400
    assert answer.data["details"] == {"row": 1, "columns": [2]}


def test_assay_samples_must_match_the_sample_table(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)

    answer = put_table(ada, experiment, "assay", b"gene_symbol,S1,S2,S9\nACTB,1,2,3\n")

    assert answer.status == 400
    details = answer.data["details"]
    assert details["missing_from_sample_data"] == ["S9"]
    assert details["missing_from_assay_data"] == ["S3"]
    assert current_dataset(experiment, "assay") is None


def test_sample_table_uploaded_second_must_match_the_assay(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)

    answer = put_table(ada, experiment, "sample", b"sample_id\nS1\nS2\nS4\n")

    assert answer.status == 400
    details = answer.data["details"]
    assert details["missing_from_sample_data"] == ["S3"]
    assert details["missing_from_assay_data"] == ["S4"]


def test_empty_file(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"")

    assert answer.status == 400
    assert answer.data["details"] == {"reason": "empty_file"}


def test_empty_file_inside_gzip(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", gzip.compress(b""))

    assert answer.status == 400
    assert answer.data["details"] == {"reason": "empty_file"}


@pytest.mark.parametrize("kind", ["sample", "assay"])
def test_header_only_file(ada: Caller, experiment: Experiment, kind: str) -> None:
    header = b"sample_id,x\n" if kind == "sample" else b"gene_symbol,S1\n"

    answer = put_table(ada, experiment, kind, header)

    assert answer.status == 400
    assert answer.data["details"] == {"reason": "no_rows"}


def test_text_that_is_not_utf8(ada: Caller, experiment: Experiment) -> None:
    latin1 = "sample_id,city\nS1,Zürich\n".encode("latin-1")

    answer = put_table(ada, experiment, "sample", latin1)

    assert answer.status == 400
    assert answer.data["details"]["reason"] == "encoding"
    assert "UTF-8" in answer.data["message"]


def test_non_utf8_far_into_the_file(ada: Caller, experiment: Experiment) -> None:
    rows = "".join(f"S{i},x\n" for i in range(20_000)).encode()
    data = b"sample_id,city\n" + rows + "S_last,Zürich\n".encode("latin-1")

    answer = put_table(ada, experiment, "sample", data)

    assert answer.status == 400
    assert answer.data["details"]["reason"] == "encoding"


@pytest.mark.parametrize(
    ("data", "query", "phrase"),
    [
        (b"%PDF-1.7 binary", "", "PDF"),
        (b"sample_id\nS1\n", "filename=table.xlsx", "not an Excel"),
        (b"sample_id\nS1\n", "filename=table.parquet", "not a Parquet"),
        (b"\xd0\xcf\x11\xe0 old excel", "", ".xls"),
        (b"PK\x03\x04 not really a zip", "", "zip"),
        (b"PAR1 truncated parquet", "", "Parquet"),
    ],
)
def test_wrong_format(
    ada: Caller, experiment: Experiment, data: bytes, query: str, phrase: str
) -> None:
    answer = put_table(ada, experiment, "sample", data, "application/octet-stream", query)

    assert answer.status == 400
    assert phrase in answer.data["message"]


@override_settings(MAX_UPLOAD_BYTES=20)
def test_over_the_size_limit_is_refused_before_reading(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", SAMPLE_CSV)

    assert answer.status == 413
    assert answer.data["code"] == "payload_too_large"
    assert answer.data["details"] == {"limit": 20}


def test_a_body_without_length_is_cut_off_at_the_limit() -> None:
    with pytest.raises(PlutoError) as raised:
        copy_limited(io.BytesIO(b"x" * 11), io.BytesIO(), 10)

    assert (raised.value.status, raised.value.code) == (413, "payload_too_large")


def test_a_body_at_the_limit_is_accepted() -> None:
    out = io.BytesIO()

    assert copy_limited(io.BytesIO(b"x" * 10), out, 10) == 10
    assert out.getvalue() == b"x" * 10


def test_a_body_shorter_than_its_declared_length_was_interrupted(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        save_body(io.BytesIO(b"sample_id\nS1\n"), tmp_path / "upload", declared=100)

    assert raised.value.details == {"received": 13, "expected": 100}


@pytest.mark.parametrize(
    "data",
    [
        b"gene_symbol,S1",
        b"gene_symbol,S1\r",
        gzip.compress(b"gene_symbol,S1"),
        "gene_symbol\tS1".encode("utf-16"),
    ],
)
def test_a_single_line_without_a_line_break_is_a_header_with_no_rows(
    ada: Caller, experiment: Experiment, data: bytes
) -> None:
    answer = put_table(ada, experiment, "assay", data)

    assert answer.status == 400
    assert answer.data["details"] == {"reason": "no_rows"}


def test_a_single_line_is_checked_as_a_header(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b"name,condition")

    assert answer.status == 400
    assert answer.data["details"]["found"] == ["name", "condition"]


def test_a_file_without_line_breaks_past_the_header_limit_names_the_limit(
    ada: Caller, experiment: Experiment
) -> None:
    data = b"sample_id," + b"x" * HEADER_BLOCK_BYTES

    answer = put_table(ada, experiment, "sample", data)

    assert answer.status == 400
    assert answer.data["details"] == {
        "reason": "line_too_long",
        "row": 1,
        "limit": HEADER_BLOCK_BYTES,
    }
    assert f"Line 1 is longer than {HEADER_BLOCK_BYTES} bytes" in answer.data["message"]


def test_a_data_line_longer_than_a_block_names_its_line_and_the_limit(
    ada: Caller, experiment: Experiment
) -> None:
    data = b"gene_symbol,S1\nG1,1\nG2," + b"1" * (2 * CSV_BLOCK_BYTES) + b"\nG3,3\n"

    answer = put_table(ada, experiment, "assay", data)

    assert answer.status == 400
    assert answer.data["details"] == {"reason": "line_too_long", "row": 3, "limit": CSV_BLOCK_BYTES}
    assert "opening quote" in answer.data["message"]


def test_a_long_sample_table_that_does_not_match_lists_the_first_ids_sorted_and_counts_all(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", b"gene_symbol,S00001,S00002,X9\nACTB,1,2,3\n")
    ids = "".join(f"S{n:05d}\n" for n in range(25_000, 0, -1))

    answer = put_table(ada, experiment, "sample", f"sample_id\n{ids}".encode())

    assert answer.status == 400
    details = answer.data["details"]
    assert details["missing_from_sample_data"] == ["X9"]
    assert details["missing_from_assay_data"] == [f"S{n:05d}" for n in range(3, 53)]
    assert details["counts"] == {"missing_from_sample_data": 1, "missing_from_assay_data": 24_998}
    assert "24998 sample_id(s) have no column in the assay table (S00003," in answer.data["message"]


def test_a_sample_table_matching_the_assay_is_stored_second(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)

    answer = put_table(ada, experiment, "sample", SAMPLE_CSV)

    assert answer.status == 200, answer.data
    assert answer.data["version"] == 1
