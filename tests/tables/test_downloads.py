"""Downloads: a signed URL to the whole table, fetched with no token."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest

from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, get_table, put_table

ASSAY_AS_CSV = b"gene_symbol,S1,S2,S3\nACTB,10,20,30\nMARCH1,0,5,\nSEPT2,7,8,9\n1-Dec,1,2,3\n"


@pytest.fixture
def both_tables(ada: Caller, experiment: Experiment) -> Experiment:
    put_table(ada, experiment, "sample", b"Sample ID,condition\nS1,a\nS2,b\nS3,c\n")
    put_table(ada, experiment, "assay", ASSAY_CSV)
    return experiment


def fetch(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    """GET a signed URL with a fresh client and no credentials."""
    fetched = fetch_url(url, **headers)
    return fetched.status, fetched.body, fetched.headers


@pytest.mark.local_storage
def test_download_url_serves_the_table_as_csv_without_a_token(
    ada: Caller, both_tables: Experiment
) -> None:
    answer = get_table(ada, both_tables, "assay", suffix="download/")

    status, body, headers = fetch(answer.data["url"])

    assert answer.data["url"].startswith("http://testserver/files/signed/")
    assert answer.data["count"] == 4
    assert status == 200
    assert body == ASSAY_AS_CSV
    assert headers["content-type"].startswith("text/csv")
    assert f'filename="{both_tables.pluto_id}_assay_data.csv"' in headers["content-disposition"]


def test_sample_download_has_a_lowercase_sample_id_header(
    ada: Caller, both_tables: Experiment
) -> None:
    url = get_table(ada, both_tables, "sample", suffix="download").data["url"]

    assert fetch(url)[1] == b"sample_id,condition\nS1,a\nS2,b\nS3,c\n"


def test_download_filename_and_format(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(
        ada, both_tables, "assay", "format=parquet&filename=counts.parquet", "download/"
    )

    _, body, headers = fetch(answer.data["url"])

    assert answer.data["format"] == "parquet"
    assert 'filename="counts.parquet"' in headers["content-disposition"]
    assert pq.read_table(io.BytesIO(body)).column("S1").to_pylist() == [10, 0, 7, 1]


def test_download_of_a_sub_matrix_as_tsv(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(ada, both_tables, "assay", "format=tsv&samples=S2&genes=SEPT2", "download/")

    assert answer.data["count"] == 1
    assert fetch(answer.data["url"])[1] == b"gene_symbol\tS2\nSEPT2\t8\n"


def test_download_ignores_accept_and_the_page_window(ada: Caller, both_tables: Experiment) -> None:
    answer = get_table(
        ada, both_tables, "assay", "limit=1", "download/", HTTP_ACCEPT="application/json"
    )

    assert fetch(answer.data["url"])[1] == ASSAY_AS_CSV


def test_download_supports_ranges(ada: Caller, both_tables: Experiment) -> None:
    url = get_table(ada, both_tables, "assay", suffix="download/").data["url"]

    status, body, headers = fetch(url, HTTP_RANGE="bytes=0-10")

    assert status == 206
    assert body == ASSAY_AS_CSV[:11]
    assert headers["content-range"] == f"bytes 0-10/{len(ASSAY_AS_CSV)}"


def test_the_same_export_is_written_once(ada: Caller, both_tables: Experiment) -> None:
    first = get_table(ada, both_tables, "assay", suffix="download/").data["url"]
    second = get_table(ada, both_tables, "assay", suffix="download/").data["url"]

    assert fetch(first)[1] == fetch(second)[1] == ASSAY_AS_CSV


def test_a_new_version_gets_a_new_download(ada: Caller, both_tables: Experiment) -> None:
    get_table(ada, both_tables, "assay", suffix="download/")
    put_table(ada, both_tables, "assay", ASSAY_CSV.replace(b"ACTB,10", b"ACTB,11"))

    url = get_table(ada, both_tables, "assay", suffix="download/").data["url"]

    assert fetch(url)[1].startswith(b"gene_symbol,S1,S2,S3\nACTB,11,")


def test_no_data_yet_has_no_url(ada: Caller, experiment: Experiment) -> None:
    answer = get_table(ada, experiment, "sample", suffix="download/")

    assert answer.status == 200
    assert answer.data["url"] is None
    assert answer.data["count"] == 0


def test_whole_table_export_as_json(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    url = get_table(ada, experiment, "sample", "format=json", "download/").data["url"]

    body = fetch(url)[1]

    assert body.startswith(b'{"count":3,"headers":["sample_id","condition","replicate"],"items":[')
