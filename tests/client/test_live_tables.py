"""Sample and assay tables through the SDK against a live Pluto server.

The SDK uploads the tables itself, then reads them back in Arrow and in JSON pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pluto
from pluto.client.client import Client
from pluto.server.lab.models import Experiment
from tests.conftest import Caller

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

SAMPLE_IDS = ["S1", "S2", "S3", "S4", "S5", "S6"]
GENES = ["MARCH1", "SEPT2", "1-Dec", "DEC1", "OCT4", "ACTB", "GAPDH", "TP53", "MYC", "1e5", "007"]


def sample_frame() -> pd.DataFrame:
    """Six samples in two groups, with an integer column that has a gap."""
    return pd.DataFrame(
        {
            "sample_id": SAMPLE_IDS,
            "condition": ["control"] * 3 + ["treated"] * 3,
            "age": pd.array([40, 41, None, 50, 51, 52], dtype="Int64"),
            "batch": [1, 1, 2, 2, 3, 3],
        }
    )


def assay_frame() -> pd.DataFrame:
    """Counts for genes whose symbols look like dates and numbers."""
    counts = {
        s: [(g * 7 + i * 13) % 97 + 1 for g in range(len(GENES))] for i, s in enumerate(SAMPLE_IDS)
    }
    return pd.DataFrame({"gene_symbol": GENES, **counts})


@pytest.fixture
def with_tables(sdk: Client, experiment: Experiment, tmp_path: Path) -> Experiment:
    """The experiment with sample data (from a DataFrame) and assay data (from a CSV file)."""
    sdk.upload_sample_data(experiment.pluto_id, sample_frame())
    csv = tmp_path / "counts.csv"
    assay_frame().to_csv(csv, index=False)
    sdk.upload_assay_data(experiment.pluto_id, csv)
    return experiment


def test_uploading_a_dataframe_answers_the_new_version(sdk: Client, experiment: Experiment) -> None:
    version = sdk.upload_sample_data(experiment.pluto_id, sample_frame())

    assert isinstance(version, pluto.TableVersion)
    assert (version.version, version.count) == (1, 6)
    assert version.headers == ("sample_id", "condition", "age", "batch")


def test_sample_data_comes_back_with_its_types(sdk: Client, with_tables: Experiment) -> None:
    frame = sdk.read(with_tables.pluto_id, "sample", quiet=True)

    pd.testing.assert_frame_equal(frame, sample_frame(), check_dtype=False)
    assert frame["batch"].dtype == "int64"
    assert str(frame["age"].dtype) == "Int64" and frame["age"].isna().tolist()[2]


def test_assay_data_is_paged_in_parallel_and_gene_symbols_stay_strings(
    sdk: Client, with_tables: Experiment, capsys: pytest.CaptureFixture[str]
) -> None:
    sdk.page_size = 4

    frame = sdk.read(with_tables.pluto_id, "assay")

    assert frame["gene_symbol"].tolist() == GENES
    assert all(frame[s].dtype == "int64" for s in SAMPLE_IDS)
    pd.testing.assert_frame_equal(frame, assay_frame())
    assert capsys.readouterr().err.splitlines() == [
        "Paginating API calls to retrieve all 11 rows in the assay data in batches of 4 rows...",
        "Fetching rows 5 to 9...",
        "Fetching rows 9 to 11...",
    ]


def test_json_pages_give_the_same_frames_as_arrow(
    live_server: Any, ada: Caller, sdk: Client, with_tables: Experiment
) -> None:
    with Client(live_server.url, ada.key, arrow=False) as json_only:
        json_only.page_size = 4
        for data_type in ("sample", "assay"):
            by_json = json_only.read(with_tables.pluto_id, data_type, quiet=True)
            by_arrow = sdk.read(with_tables.pluto_id, data_type, quiet=True)
            pd.testing.assert_frame_equal(by_json, by_arrow)


def test_the_server_answers_the_sdk_in_arrow(
    live_server: Any, ada: Caller, with_tables: Experiment
) -> None:
    import requests

    answer = requests.get(
        f"{live_server.url}/lab/experiments/{with_tables.pluto_id}/assay-data/",
        headers={
            "Authorization": f"Token {ada.key}",
            "Accept": "application/vnd.apache.arrow.stream, application/json;q=0.5",
        },
        timeout=10,
    )

    assert answer.headers["Content-Type"].startswith("application/vnd.apache.arrow.stream")
    assert answer.headers["X-Total-Count"] == "11"


def test_columns_samples_and_genes_narrow_the_assay_table(
    sdk: Client, with_tables: Experiment
) -> None:
    frame = sdk.read(
        with_tables.pluto_id, "assay", samples=["S2", "S5"], genes=["SEPT2", "1-Dec"], quiet=True
    )

    assert list(frame.columns) == ["gene_symbol", "S2", "S5"]
    assert sorted(frame["gene_symbol"]) == ["1-Dec", "SEPT2"]


def test_pluto_read_mirrors_the_r_client(
    live_server: Any,
    ada: Caller,
    with_tables: Experiment,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    monkeypatch.setenv("PLUTO_API_TOKEN", ada.key)

    samples = pluto.read(with_tables.pluto_id, "sample")

    assert samples["sample_id"].tolist() == SAMPLE_IDS
    assert capsys.readouterr().err == "All 6 rows of the sample data were fetched.\n"


def test_a_cached_read_is_revalidated_and_a_new_version_is_seen(
    live_server: Any, ada: Caller, sdk: Client, with_tables: Experiment, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = pluto.read(
        with_tables.pluto_id, "assay", url=live_server.url, token=ada.key, cache=cache, quiet=True
    )

    with Client(live_server.url, ada.key, cache=cache) as cached:
        again = cached.read(with_tables.pluto_id, "assay", quiet=True)
        sdk.upload_assay_data(with_tables.pluto_id, assay_frame().head(3))
        changed = cached.read(with_tables.pluto_id, "assay", quiet=True)

    pd.testing.assert_frame_equal(again, first)
    assert cached.cache is not None and cached.cache.revalidated == 1
    assert len(changed) == 3
