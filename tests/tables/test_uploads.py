"""Uploading sample tables and assay matrices in every accepted format and way."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from pluto.server.files.services import attach_file
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from pluto.server.tables.services import current_dataset
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import (
    ASSAY_CSV,
    SAMPLE_CSV,
    Answer,
    answer_of,
    get_table,
    parquet_bytes,
    put_table,
    table_path,
    xlsx_bytes,
)


def stored_rows(experiment: Experiment, kind: str) -> list[dict[str, object]]:
    """The current table as stored, read straight from its Parquet file."""
    dataset = current_dataset(experiment, kind)
    assert dataset is not None
    with get_storage().open(dataset.storage_key) as handle:
        return pq.read_table(handle).to_pylist()


def test_csv_body_becomes_version_one(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", SAMPLE_CSV)

    assert answer.status == 200
    assert answer.data == {
        "version": 1,
        "count": 3,
        "headers": ["sample_id", "condition", "replicate"],
    }
    assert stored_rows(experiment, "sample")[0] == {
        "sample_id": "S1",
        "condition": "treated",
        "replicate": 1,
    }


def test_tsv_with_byte_order_mark_and_sample_id_spelled_differently(
    ada: Caller, experiment: Experiment
) -> None:
    data = "\ufeffcondition\tSample ID\ttreated on\ntreated\tS1\t2024-01-02\n".encode()

    answer = put_table(ada, experiment, "sample", data, "text/tab-separated-values")

    assert answer.status == 200
    assert answer.data["headers"] == ["sample_id", "condition", "treated on"]
    assert stored_rows(experiment, "sample") == [
        {"sample_id": "S1", "condition": "treated", "treated on": "2024-01-02"}
    ]


def test_every_spelling_of_sample_id_is_accepted(ada: Caller, experiment: Experiment) -> None:
    for version, name in enumerate(["Sample_ID", "sample id", "SampleID", "SAMPLE-ID"], 1):
        answer = put_table(ada, experiment, "sample", f"{name},x\nS1,1\n".encode())

        assert answer.status == 200, answer.data
        assert answer.data == {"version": version, "count": 1, "headers": ["sample_id", "x"]}


def test_gzip_compressed_csv_is_recognised_by_content(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(
        ada, experiment, "assay", gzip.compress(ASSAY_CSV), "application/octet-stream"
    )

    assert answer.status == 200, answer.data
    assert answer.data["count"] == 4
    assert current_dataset(experiment, "assay").source_format == "csv.gz"  # type: ignore[union-attr]


def test_gzip_tsv_named_by_the_filename_parameter(ada: Caller, experiment: Experiment) -> None:
    data = gzip.compress(b"gene_symbol\tS1\nACTB\t5\n")

    answer = put_table(ada, experiment, "assay", data, "application/gzip", "filename=c.tsv.gz")

    assert answer.status == 200, answer.data
    dataset = current_dataset(experiment, "assay")
    assert dataset is not None
    assert (dataset.source_format, dataset.source_filename) == ("tsv.gz", "c.tsv.gz")


def test_ids_that_look_like_dates_or_numbers_stay_exactly_as_written(
    ada: Caller, experiment: Experiment
) -> None:
    samples = b"sample_id,patient\nMARCH1,00123\nSEPT2,00124\n1-Dec,7\n00123,8\n"
    assay = b"gene_symbol,MARCH1,SEPT2,1-Dec,00123\nMARCH1,1,2,3,4\n1-Dec,5,6,7,8\n00123,0,0,0,0\n"

    assert put_table(ada, experiment, "sample", samples).status == 200
    assert put_table(ada, experiment, "assay", assay).status == 200

    assert [row["sample_id"] for row in stored_rows(experiment, "sample")] == [
        "MARCH1",
        "SEPT2",
        "1-Dec",
        "00123",
    ]
    assert [row["patient"] for row in stored_rows(experiment, "sample")] == [
        "00123",
        "00124",
        "7",
        "8",
    ]
    assert [row["gene_symbol"] for row in stored_rows(experiment, "assay")] == [
        "MARCH1",
        "1-Dec",
        "00123",
    ]


def test_raw_counts_are_stored_as_integers_even_when_written_as_decimals(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", b"gene_symbol,S1\nACTB,12.0\nGAPDH,3\n")

    dataset = current_dataset(experiment, "assay")
    assert dataset is not None
    assert dataset.column_types == ["string", "int64"]
    assert stored_rows(experiment, "assay") == [
        {"gene_symbol": "ACTB", "S1": 12},
        {"gene_symbol": "GAPDH", "S1": 3},
    ]


def test_parquet_keeps_its_types(ada: Caller, experiment: Experiment) -> None:
    table = pa.table(
        {
            "Sample_ID": ["S1", "S2"],
            "dose": pa.array([0.5, None], pa.float64()),
            "batch": pa.array([1, 2], pa.int32()),
            "treated": [True, False],
        }
    )

    answer = put_table(
        ada, experiment, "sample", parquet_bytes(table), "application/vnd.apache.parquet"
    )

    assert answer.status == 200, answer.data
    dataset = current_dataset(experiment, "sample")
    assert dataset is not None
    assert dataset.column_types == ["string", "double", "int32", "bool"]
    assert stored_rows(experiment, "sample")[1] == {
        "sample_id": "S2",
        "dose": None,
        "batch": 2,
        "treated": False,
    }


def test_parquet_not_a_number_becomes_missing(ada: Caller, experiment: Experiment) -> None:
    table = pa.table({"gene_symbol": ["A", "B"], "S1": [1.5, float("nan")]})
    experiment.assay_units = type(experiment.assay_units).objects.get(shortname="tpm")
    experiment.save()

    answer = put_table(ada, experiment, "assay", parquet_bytes(table), "application/octet-stream")

    assert answer.status == 200, answer.data
    assert stored_rows(experiment, "assay")[1] == {"gene_symbol": "B", "S1": None}


def test_xlsx_first_sheet_by_default(ada: Caller, experiment: Experiment) -> None:
    workbook = xlsx_bytes(
        {
            "samples": [["Sample ID", "age", "code"], ["S1", 31, "00123"], ["S2", 45.5, None]],
            "notes": [["sample_id"], ["ignored"]],
        }
    )

    answer = put_table(
        ada, experiment, "sample", workbook, "application/octet-stream", "filename=s.xlsx"
    )

    assert answer.status == 200, answer.data
    assert stored_rows(experiment, "sample") == [
        {"sample_id": "S1", "age": 31.0, "code": "00123"},
        {"sample_id": "S2", "age": 45.5, "code": None},
    ]


def test_xlsx_named_sheet(ada: Caller, experiment: Experiment) -> None:
    workbook = xlsx_bytes({"README": [["about"]], "counts": [["gene_symbol", "S1"], ["A", 4]]})

    answer = put_table(
        ada, experiment, "assay", workbook, "application/octet-stream", "sheet=counts"
    )

    assert answer.status == 200, answer.data
    assert stored_rows(experiment, "assay") == [{"gene_symbol": "A", "S1": 4}]


def test_xlsx_unknown_sheet_lists_the_sheets(ada: Caller, experiment: Experiment) -> None:
    workbook = xlsx_bytes({"counts": [["gene_symbol", "S1"], ["A", 4]]})

    answer = put_table(ada, experiment, "assay", workbook, "application/octet-stream", "sheet=x")

    assert answer.status == 400
    assert answer.data["details"]["sheets"] == ["counts"]


def test_multipart_field_file(ada: Caller, experiment: Experiment) -> None:
    upload = SimpleUploadedFile("samples.csv", SAMPLE_CSV, content_type="text/csv")

    response = ada.client.put(
        table_path(experiment, "sample"),
        data=encode_multipart(BOUNDARY, {"file": upload}),
        content_type=MULTIPART_CONTENT,
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    answer = answer_of(response)
    assert answer.status == 200, answer.data
    assert answer.data["count"] == 3
    assert current_dataset(experiment, "sample").source_filename == "samples.csv"  # type: ignore[union-attr]


def test_multipart_without_the_file_field_says_what_to_send(
    ada: Caller, experiment: Experiment
) -> None:
    upload = SimpleUploadedFile("samples.csv", SAMPLE_CSV, content_type="text/csv")

    response = ada.client.put(
        table_path(experiment, "sample"),
        data=encode_multipart(BOUNDARY, {"table": upload}),
        content_type=MULTIPART_CONTENT,
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    answer = answer_of(response)
    assert answer.status == 400
    assert answer.data["details"] == {"field": "file"}


def test_json_body_without_file_id_is_refused(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", b'{"file": "x"}', "application/json")

    assert answer.status == 400
    assert answer.data["details"] == {"field": "file_id"}


def test_utf16_text_with_byte_order_mark(ada: Caller, experiment: Experiment) -> None:
    data = "sample_id\tgroup\nS1\tA\nS2\tB\n".encode("utf-16")

    answer = put_table(ada, experiment, "sample", data, "text/plain")

    assert answer.status == 200, answer.data
    assert stored_rows(experiment, "sample")[1] == {"sample_id": "S2", "group": "B"}


def test_upload_answers_like_the_pluto_api(
    ada: Caller, experiment: Experiment, make_caller: Callable[..., Caller]
) -> None:
    first = put_table(ada, experiment, "sample", SAMPLE_CSV)
    second = put_table(ada, experiment, "sample", SAMPLE_CSV)
    page = get_table(ada, experiment, "sample")

    assert (first.data["version"], second.data["version"]) == (1, 2)
    assert page.data["count"] == 3


def put_json(caller: Caller, experiment: Experiment, kind: str, body: dict[str, str]) -> Answer:
    return put_table(caller, experiment, kind, json.dumps(body).encode(), "application/json")


def test_file_id_of_an_uploaded_file(ada: Caller, experiment: Experiment) -> None:
    file = attach_file(ada.user, experiment, "counts.tsv", ASSAY_CSV.replace(b",", b"\t"))

    answer = put_json(ada, experiment, "assay", {"file_id": str(file.uuid)})

    assert answer.status == 200, answer.data
    assert answer.data["headers"] == ["gene_symbol", "S1", "S2", "S3"]
    dataset = current_dataset(experiment, "assay")
    assert dataset is not None
    assert (dataset.source_filename, dataset.source_format) == ("counts.tsv", "tsv")


def test_file_id_of_another_experiment_is_not_found(ada: Caller, experiment: Experiment) -> None:
    other = make_experiment(ada.user, make_project(ada.user, "Other"))
    file = attach_file(ada.user, other, "samples.csv", SAMPLE_CSV)

    answer = put_json(ada, experiment, "sample", {"file_id": str(file.uuid)})

    assert (answer.status, answer.data["code"]) == (404, "not_found")
    assert current_dataset(experiment, "sample") is None


def test_curl_data_binary_default_content_type(ada: Caller, experiment: Experiment) -> None:
    answer = put_table(ada, experiment, "sample", SAMPLE_CSV, "application/x-www-form-urlencoded")

    assert answer.status == 200, answer.data
    assert answer.data["count"] == 3
