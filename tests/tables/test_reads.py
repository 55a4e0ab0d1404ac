"""Reading tables: pages, formats, column and row choices, ETags."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pluto.server.lab.models import AssayUnits, Experiment
from pluto.server.storage import get_storage
from pluto.server.tables.services import current_dataset
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, get_table, put_table

BIG_ROWS = 25_000


@pytest.fixture
def big_assay(ada: Caller, experiment: Experiment) -> Experiment:
    """An assay matrix of 25,000 genes: three row groups of 10,000, 10,000 and 5,000."""
    rows = "".join(f"G{i:05d},{i},{i % 7}\n" for i in range(BIG_ROWS))
    answer = put_table(ada, experiment, "assay", f"gene_symbol,S1,S2\n{rows}".encode())
    assert answer.status == 200, answer.data
    return experiment


@pytest.fixture
def both_tables(ada: Caller, experiment: Experiment) -> Experiment:
    """The small sample table and assay matrix of the conftest."""
    assert put_table(ada, experiment, "sample", SAMPLE_CSV).status == 200
    assert put_table(ada, experiment, "assay", ASSAY_CSV).status == 200
    return experiment


def genes_of(items: list[dict[str, object]]) -> list[object]:
    return [item["gene_symbol"] for item in items]


def test_stored_in_row_groups_of_exactly_ten_thousand(big_assay: Experiment) -> None:
    dataset = current_dataset(big_assay, "assay")
    assert dataset is not None

    with get_storage().open(dataset.storage_key) as handle:
        metadata = pq.ParquetFile(handle).metadata
        sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]

    assert sizes == [10_000, 10_000, 5_000]


def test_limit_10003_returns_10003_rows_and_the_total(ada: Caller, big_assay: Experiment) -> None:
    answer = get_table(ada, big_assay, "assay", "limit=10003")

    assert answer.status == 200
    assert answer.data["count"] == BIG_ROWS
    assert len(answer.data["items"]) == 10_003
    assert genes_of(answer.data["items"])[-2:] == ["G10001", "G10002"]
    assert answer.data["items"][10_002] == {"gene_symbol": "G10002", "S1": 10002, "S2": 10002 % 7}


def test_default_page_is_ten_thousand_rows(ada: Caller, big_assay: Experiment) -> None:
    answer = get_table(ada, big_assay, "assay")

    assert (answer.data["count"], len(answer.data["items"])) == (BIG_ROWS, 10_000)


@pytest.mark.parametrize(
    ("offset", "limit", "first", "length"),
    [
        (9_998, 5, 9_998, 5),
        (19_999, 2, 19_999, 2),
        (9_999, 10_002, 9_999, 10_002),
        (24_998, 10, 24_998, 2),
    ],
)
def test_offsets_across_row_group_boundaries(
    ada: Caller, big_assay: Experiment, offset: int, limit: int, first: int, length: int
) -> None:
    answer = get_table(ada, big_assay, "assay", f"offset={offset}&limit={limit}")

    expected = [f"G{i:05d}" for i in range(first, first + length)]
    assert genes_of(answer.data["items"]) == expected
    assert answer.data["count"] == BIG_ROWS


def test_offset_past_the_end_is_an_empty_page(ada: Caller, big_assay: Experiment) -> None:
    answer = get_table(ada, big_assay, "assay", "offset=30000")

    assert answer.data == {"count": BIG_ROWS, "headers": ["gene_symbol", "S1", "S2"], "items": []}


@pytest.mark.parametrize("kind", ["sample", "assay"])
@pytest.mark.parametrize("query", ["offset=9223372036854775808", "offset=100000000000000000000"])
def test_offsets_beyond_64_bit_rows_are_an_empty_page(
    ada: Caller, both_tables: Experiment, kind: str, query: str
) -> None:
    whole = get_table(ada, both_tables, kind)
    for selection in ("", "&samples=S1,S2"):
        answer = get_table(ada, both_tables, kind, query + selection)

        assert answer.status == 200, answer.data
        assert answer.data["count"] == (
            2 if selection and kind == "sample" else whole.data["count"]
        )
        assert answer.data["items"] == []


def test_pages_in_order_cover_the_table_once(ada: Caller, big_assay: Experiment) -> None:
    seen: list[object] = []
    for offset in range(0, BIG_ROWS, 7_000):
        seen += genes_of(
            get_table(ada, big_assay, "assay", f"offset={offset}&limit=7000").data["items"]
        )

    assert seen == [f"G{i:05d}" for i in range(BIG_ROWS)]


def test_genes_from_several_row_groups_in_stored_order(ada: Caller, big_assay: Experiment) -> None:
    answer = get_table(ada, big_assay, "assay", "genes=G20001,G00003,G10000&samples=S2")

    assert answer.data == {
        "count": 3,
        "headers": ["gene_symbol", "S2"],
        "items": [
            {"gene_symbol": "G00003", "S2": 3},
            {"gene_symbol": "G10000", "S2": 10000 % 7},
            {"gene_symbol": "G20001", "S2": 20001 % 7},
        ],
    }


def test_limit_above_the_maximum_is_refused(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "assay", "limit=100001")

    assert answer.status == 400
    assert answer.data["code"] == "limit_too_large"
    assert answer.data["details"]["maximum"] == 100_000


@pytest.mark.parametrize(
    "query", ["limit=-1", "offset=-5", "limit=ten", "offset=1e20", "limit=1_000", "offset=\uff11"]
)
def test_bad_paging_values_are_invalid(ada: Caller, both_tables: Experiment, query: str) -> None:
    answer = get_table(ada, both_tables, "sample", query)

    assert (answer.status, answer.data["code"]) == (400, "invalid")
    assert answer.data["details"]["field"] == query.split("=")[0]


def test_no_data_yet_is_an_empty_table(ada: Caller, experiment: Experiment) -> None:
    for kind in ("sample", "assay"):
        answer = get_table(ada, experiment, kind)

        assert answer.status == 200
        assert answer.data == {"count": 0, "headers": [], "items": []}


def test_json_page_keeps_types_order_and_missing_values(
    ada: Caller, both_tables: Experiment
) -> None:
    answer = get_table(ada, both_tables, "assay")

    assert answer.body.startswith(b'{"count":4,"headers":["gene_symbol","S1","S2","S3"],"items":[')
    assert answer.data["items"][1] == {"gene_symbol": "MARCH1", "S1": 0, "S2": 5, "S3": None}
    assert list(answer.data["items"][1]) == ["gene_symbol", "S1", "S2", "S3"]
    assert b"NaN" not in answer.body


def test_decimals_round_trip_exactly(ada: Caller, experiment: Experiment) -> None:
    experiment.assay_units = AssayUnits.objects.get(shortname="tpm")
    experiment.save()
    put_table(ada, experiment, "assay", b"gene_symbol,S1\nA,0.1\nB,1e-300\nC,123456.789012345\n")

    answer = get_table(ada, experiment, "assay")

    assert [item["S1"] for item in answer.data["items"]] == [0.1, 1e-300, 123456.789012345]


def typed_frame(answer_body: bytes, fmt: str) -> pd.DataFrame:
    """A page in a non-JSON format read back as pandas would (ids kept as text)."""
    if fmt == "arrow":
        return pa.ipc.open_stream(answer_body).read_all().to_pandas()
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(answer_body)).to_pandas()
    separator = "\t" if fmt == "tsv" else ","
    return pd.read_csv(
        io.BytesIO(answer_body), sep=separator, dtype={"gene_symbol": str, "sample_id": str}
    )


@pytest.mark.parametrize("fmt", ["csv", "tsv", "arrow", "parquet"])
def test_every_format_round_trips_values_and_types(
    ada: Caller, both_tables: Experiment, fmt: str
) -> None:
    answer = get_table(ada, both_tables, "assay", f"format={fmt}")

    frame = typed_frame(answer.body, fmt)
    assert answer.headers["x-total-count"] == "4"
    assert list(frame.columns) == ["gene_symbol", "S1", "S2", "S3"]
    assert list(frame["gene_symbol"]) == ["ACTB", "MARCH1", "SEPT2", "1-Dec"]
    assert list(frame["S1"]) == [10, 0, 7, 1]
    assert frame["S1"].dtype.kind == "i"
    assert pd.isna(frame.loc[1, "S3"])


@pytest.mark.parametrize("fmt", ["arrow", "parquet"])
def test_binary_formats_keep_arrow_types(ada: Caller, both_tables: Experiment, fmt: str) -> None:
    body = get_table(ada, both_tables, "assay", f"format={fmt}").body
    table = (
        pa.ipc.open_stream(body).read_all() if fmt == "arrow" else pq.read_table(io.BytesIO(body))
    )

    assert table.schema.types == [pa.string(), pa.int64(), pa.int64(), pa.int64()]
    assert table.column("S3").to_pylist() == [30, None, 9, 3]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.stream"),
        ("application/vnd.apache.parquet", "application/vnd.apache.parquet"),
        ("text/html;q=0.9, text/csv", "text/csv"),
        ("*/*", "application/json"),
    ],
)
def test_accept_header_chooses_the_format(
    ada: Caller, both_tables: Experiment, accept: str, media_type: str
) -> None:
    answer = get_table(ada, both_tables, "sample", HTTP_ACCEPT=accept)

    assert answer.status == 200
    assert answer.headers["content-type"].split(";")[0] == media_type


def test_format_parameter_wins_over_accept(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "format=json", HTTP_ACCEPT="text/csv")

    assert answer.data["count"] == 3


def test_unknown_format_lists_the_choices(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "format=xml")

    assert answer.status == 400
    assert answer.data["details"]["allowed"] == ["json", "csv", "tsv", "arrow", "parquet"]


def test_csv_page_of_sample_data(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "format=csv&limit=2&offset=1")

    assert answer.body == b"sample_id,condition,replicate\nS2,control,2\nS3,treated,3\n"
    assert answer.headers["x-total-count"] == "3"


def test_columns_keep_the_id_column_first(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "columns=replicate")

    assert answer.data["headers"] == ["sample_id", "replicate"]
    assert answer.data["items"][0] == {"sample_id": "S1", "replicate": 1}


def test_unknown_columns_are_listed(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "columns=replicate,age,sex")

    assert answer.status == 400
    assert answer.data["details"]["unknown"] == ["age", "sex"]


def test_samples_and_genes_choose_a_sub_matrix(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "assay", "samples=S3,S1&genes=SEPT2,1-Dec")

    assert answer.data == {
        "count": 2,
        "headers": ["gene_symbol", "S3", "S1"],
        "items": [
            {"gene_symbol": "SEPT2", "S3": 9, "S1": 7},
            {"gene_symbol": "1-Dec", "S3": 3, "S1": 1},
        ],
    }


def test_unknown_samples_and_genes_are_listed(ada: Caller, both_tables: Experiment) -> None:
    samples = get_table(ada, both_tables, "assay", "samples=S1,S7")
    genes = get_table(ada, both_tables, "assay", "genes=ACTB,TP53")

    assert (samples.status, samples.data["details"]["unknown"]) == (400, ["S7"])
    assert (genes.status, genes.data["details"]["unknown"]) == (400, ["TP53"])


def test_samples_choose_rows_of_sample_data(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "sample", "samples=S3")

    assert answer.data["items"] == [{"sample_id": "S3", "condition": "treated", "replicate": 3}]


def test_etag_answers_if_none_match_with_304(ada: Caller, both_tables: Experiment) -> None:
    first = get_table(ada, both_tables, "assay")
    again = get_table(ada, both_tables, "assay", HTTP_IF_NONE_MATCH=first.headers["etag"])

    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_etag_differs_by_parameters_and_by_version(ada: Caller, both_tables: Experiment) -> None:
    page = get_table(ada, both_tables, "assay").headers["etag"]
    other_page = get_table(ada, both_tables, "assay", "limit=2").headers["etag"]
    as_csv = get_table(ada, both_tables, "assay", "format=csv").headers["etag"]
    put_table(ada, both_tables, "assay", ASSAY_CSV.replace(b"10,20,30", b"11,20,30"))
    new_version = get_table(ada, both_tables, "assay", HTTP_IF_NONE_MATCH=page)

    assert len({page, other_page, as_csv, new_version.headers["etag"]}) == 4
    assert new_version.status == 200
    assert new_version.data["items"][0]["S1"] == 11


def test_a_page_too_large_for_one_buffer_is_streamed_whole(
    ada: Caller, experiment: Experiment
) -> None:
    samples = [f"S{j}" for j in range(250)]
    rows = "".join(f"G{i}," + ",".join(str(i + j) for j in range(250)) + "\n" for i in range(5_000))
    put_table(ada, experiment, "assay", f"gene_symbol,{','.join(samples)}\n{rows}".encode())

    response = ada.client.get(
        f"/lab/experiments/{experiment.pluto_id}/assay-data/?limit=5000",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )
    answer = get_table(ada, experiment, "assay", "limit=5000")

    assert response.streaming
    assert answer.data["count"] == 5_000
    assert len(answer.data["items"]) == 5_000
    assert answer.data["items"][4_999]["S249"] == 4_999 + 249


def test_whole_table_download_spans_every_row_group(ada: Caller, big_assay: Experiment) -> None:
    url = get_table(ada, big_assay, "assay", suffix="download/").data["url"]

    lines = fetch_url(url).body.decode().splitlines()

    assert len(lines) == BIG_ROWS + 1
    assert lines[:2] == ["gene_symbol,S1,S2", "G00000,0,0"]
    assert lines[10_001] == f"G10000,10000,{10000 % 7}"
    assert lines[-1] == f"G24999,24999,{24999 % 7}"


def test_openapi_schema_documents_the_table_endpoints(ada: Caller) -> None:
    schema = ada.call("GET", "/lab/openapi.json").data

    table = schema["paths"]["/lab/experiments/{experiment_id}/assay-data/"]
    assert {"get", "put"} <= set(table)
    assert "multipart/form-data" in table["put"]["requestBody"]["content"]
    assert (
        "/lab/experiments/{experiment_id}/sample-data/versions/{version}/restore/"
        in (schema["paths"])
    )


def test_asking_for_the_id_column_alone(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "assay", "columns=gene_symbol&format=csv")

    assert answer.body == b"gene_symbol\nACTB\nMARCH1\nSEPT2\n1-Dec\n"


TRICKY_SAMPLES = (
    b"sample_id,replicate,dose,note\n"
    b"MARCH1,1,0.25,first\nSEPT2,,1.5,\n1-Dec,3,,x\n00123,4,2.0,last\n"
)
TRICKY_ROWS = [
    {"sample_id": "MARCH1", "replicate": 1, "dose": 0.25, "note": "first"},
    {"sample_id": "SEPT2", "replicate": None, "dose": 1.5, "note": None},
    {"sample_id": "1-Dec", "replicate": 3, "dose": None, "note": "x"},
    {"sample_id": "00123", "replicate": 4, "dose": 2.0, "note": "last"},
]


def rows_read_back(body: bytes, fmt: str) -> list[dict[str, object]]:
    """A sample page in ``fmt`` as rows, reading CSV and TSV with the stored types."""
    if fmt in {"arrow", "parquet"}:
        return typed_table(body, fmt).to_pylist()
    frame = pd.read_csv(
        io.BytesIO(body),
        sep="\t" if fmt == "tsv" else ",",
        dtype={"sample_id": str, "replicate": "Int64", "note": str},
    )
    return [
        {key: (None if pd.isna(value) else value) for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def typed_table(body: bytes, fmt: str) -> pa.Table:
    if fmt == "arrow":
        return pa.ipc.open_stream(body).read_all()
    return pq.read_table(io.BytesIO(body))


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "arrow", "parquet"])
def test_tricky_ids_numbers_and_gaps_round_trip_in_every_format(
    ada: Caller, experiment: Experiment, fmt: str
) -> None:
    put_table(ada, experiment, "sample", TRICKY_SAMPLES)

    answer = get_table(ada, experiment, "sample", f"format={fmt}")

    rows = answer.data["items"] if fmt == "json" else rows_read_back(answer.body, fmt)
    assert rows == TRICKY_ROWS
    if fmt in {"arrow", "parquet"}:
        types = typed_table(answer.body, fmt).schema.types
        assert types == [pa.string(), pa.int64(), pa.float64(), pa.string()]
