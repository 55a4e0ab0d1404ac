"""The API with its object store on S3: tables stored, paged and downloaded through the store."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import requests

from pluto.server.config import StorageConfig
from pluto.server.lab.models import Experiment
from pluto.server.tables.models import Dataset
from tests.conftest import Caller
from tests.s3_server import S3Server
from tests.storage.conftest import bucket_keys
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, get_table, put_table


def test_a_sample_table_is_stored_in_the_bucket_and_read_back_in_pages(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    stored = put_table(ada, experiment, "sample", SAMPLE_CSV)

    page = get_table(ada, experiment, "sample", "limit=2&offset=1")

    assert stored.status in {200, 201}, stored.data
    dataset = Dataset.objects.get()
    assert dataset.storage_key in bucket_keys(s3_server, s3_settings)
    assert page.status == 200
    assert page.data["count"] == 3
    assert [row["sample_id"] for row in page.data["items"]] == ["S2", "S3"]


def test_a_whole_parquet_download_is_a_presigned_url_of_the_stored_dataset(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)

    url = get_table(ada, experiment, "assay", "format=parquet", "download/").data["url"]
    answer = requests.get(url, timeout=30)
    ranged = requests.get(url, headers={"Range": "bytes=0-3"}, timeout=30)

    assert url.startswith(s3_server.endpoint + "/")
    assert answer.status_code == 200
    table = pq.read_table(io.BytesIO(answer.content))
    assert table.column("gene_symbol").to_pylist() == ["ACTB", "MARCH1", "SEPT2", "1-Dec"]
    assert (ranged.status_code, ranged.content) == (206, b"PAR1")


def test_a_csv_export_is_written_to_the_store_once_and_downloaded_from_it(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "assay", ASSAY_CSV)

    first = get_table(ada, experiment, "assay", suffix="download/").data["url"]
    again = get_table(ada, experiment, "assay", suffix="download/").data["url"]

    assert requests.get(first, timeout=30).content == ASSAY_CSV
    assert requests.get(again, timeout=30).content == ASSAY_CSV
    exports = [key for key in bucket_keys(s3_server, s3_settings) if key.startswith("exports/")]
    assert len(exports) == 1
