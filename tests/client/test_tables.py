"""Reading tables: paging, formats, column types, progress lines and the cache.

The server here is a small real HTTP server: one that speaks only the Pluto contract (JSON
pages), and one that answers Arrow with ``X-Total-Count`` and ``ETag`` like Pluto does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pluto
from pluto.client.client import Client
from tests.client.conftest import FAKE_TOKEN
from tests.client.fake_server import (
    FakePluto,
    Received,
    Reply,
    arrow_table,
    column_major_table,
    json_table,
)

ASSAY = "/lab/experiments/PLX140206/assay-data/"
SAMPLES = "/lab/experiments/PLX140206/sample-data/"
PLOT_DATA = "/lab/experiments/PLX140206/plots/5f0c2d1e-0000-4000-8000-000000000001/data/"
TRICKY_GENES = ["MARCH1", "SEPT2", "1-Dec", "DEC1", "OCT4", "2310009B15Rik", "NA", "1e5", "007"]


def assay_rows(count: int) -> list[dict[str, Any]]:
    """Rows of an assay table whose gene symbols look like dates or numbers."""
    genes = [
        TRICKY_GENES[i % len(TRICKY_GENES)] + f"_{i}" * (i >= len(TRICKY_GENES))
        for i in range(count)
    ]
    return [{"gene_symbol": gene, "S1": i * 10, "S2": i * 10 + 1} for i, gene in enumerate(genes)]


def test_json_pages_are_fetched_and_kept_in_order(
    fake: FakePluto, fake_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = assay_rows(10)
    fake.route("GET", ASSAY, json_table(["gene_symbol", "S1", "S2"], rows))
    fake_client.page_size = 4

    frame = fake_client.read("PLX140206", "assay")

    assert frame.to_dict("records") == rows
    assert sorted(int(r.query["offset"]) for r in fake.requests_to(ASSAY)) == [0, 4, 8]
    assert capsys.readouterr().err.splitlines() == [
        "Paginating API calls to retrieve all 10 rows in the assay data in batches of 4 rows...",
        "Fetching rows 5 to 9...",
        "Fetching rows 9 to 10...",
    ]


def test_gene_symbols_stay_strings_and_integers_stay_integers(
    fake: FakePluto, fake_client: Client
) -> None:
    fake.route("GET", ASSAY, json_table(["gene_symbol", "S1", "S2"], assay_rows(9)))

    frame = fake_client.read("PLX140206", "assay", quiet=True)

    assert list(frame["gene_symbol"]) == TRICKY_GENES
    assert all(isinstance(gene, str) for gene in frame["gene_symbol"])
    assert frame["S1"].dtype == "int64" and frame["S2"].dtype == "int64"


def test_missing_values_stay_missing_with_each_column_s_type(
    fake: FakePluto, fake_client: Client
) -> None:
    headers = ["sample_id", "age", "weight", "treated", "note"]
    rows: list[dict[str, Any]] = [
        {"sample_id": "S1", "age": 40, "weight": 61.5, "treated": True, "note": "ok"},
        {"sample_id": "S2", "age": None, "weight": None, "treated": None, "note": None},
        {"sample_id": "S3", "age": 52, "weight": 70, "treated": False, "note": "redo"},
    ]
    fake.route("GET", SAMPLES, json_table(headers, rows))

    frame = fake_client.read("PLX140206", "sample", quiet=True)

    assert str(frame["age"].dtype) == "Int64"
    assert list(frame["age"].astype(object)) == [40, pd.NA, 52]
    assert frame["weight"].dtype == "float64"
    assert frame["weight"].isna().tolist() == [False, True, False]
    assert str(frame["treated"].dtype) == "boolean"
    assert frame["note"].tolist() == ["ok", None, "redo"]


def test_a_table_on_one_page_prints_only_the_closing_line(
    fake: FakePluto, fake_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"sample_id": f"S{i}", "group": "a"} for i in range(12)]
    fake.route("GET", SAMPLES, json_table(["sample_id", "group"], rows))

    frame = fake_client.read("PLX140206", "sample")

    assert len(frame) == 12
    assert capsys.readouterr().err == "All 12 rows of the sample data were fetched.\n"


def test_quiet_prints_nothing(
    fake: FakePluto, fake_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.route("GET", ASSAY, json_table(["gene_symbol", "S1", "S2"], assay_rows(10)))
    fake_client.page_size = 3

    fake_client.read("PLX140206", "assay", quiet=True)

    assert capsys.readouterr().err == ""


def test_an_empty_table_keeps_its_columns(fake: FakePluto, fake_client: Client) -> None:
    fake.route("GET", SAMPLES, json_table(["sample_id", "group"], []))

    frame = fake_client.read("PLX140206", "sample", quiet=True)

    assert list(frame.columns) == ["sample_id", "group"] and frame.empty


def test_the_sdk_asks_for_arrow_then_json_once_the_server_answers_json(
    fake: FakePluto, fake_client: Client
) -> None:
    fake.route("GET", ASSAY, json_table(["gene_symbol", "S1", "S2"], assay_rows(10)))
    fake_client.page_size = 5

    fake_client.read("PLX140206", "assay", quiet=True)

    first, second = sorted(fake.requests_to(ASSAY), key=lambda r: int(r.query["offset"]))
    assert (first.header("Accept") or "").startswith("application/vnd.apache.arrow.stream")
    assert second.header("Accept") == "application/json"


def test_a_406_to_the_arrow_request_falls_back_to_json(
    fake: FakePluto, fake_client: Client
) -> None:
    pages = json_table(["sample_id"], [{"sample_id": "S1"}, {"sample_id": "S2"}])

    def picky(request: Received) -> Reply:
        if "arrow" in (request.header("Accept") or ""):
            return Reply(406, {"code": "not_acceptable", "message": "JSON only."})
        return pages(request)

    fake.route("GET", SAMPLES, picky)

    frame = fake_client.read("PLX140206", "sample", quiet=True)

    assert frame["sample_id"].tolist() == ["S1", "S2"]


def test_column_major_volcano_plot_data_is_read_by_column(
    fake: FakePluto, fake_client: Client
) -> None:
    headers = ["Gene_Symbol", "Log2_Fold_Change", "P_Value"]
    columns: list[list[Any]] = [["SEPT2", "MARCH1", "ACTB"], [1.5, -2.0, 0.1], [0.01, 0.02, 0.9]]
    fake.route("GET", PLOT_DATA, column_major_table(headers, columns))
    fake_client.page_size = 2

    frame = fake_client.read(
        "PLX140206", "results", plot_id="5f0c2d1e-0000-4000-8000-000000000001", quiet=True
    )

    assert len(fake.requests_to(PLOT_DATA)) == 2
    assert list(frame.columns) == headers
    assert frame["Gene_Symbol"].tolist() == ["SEPT2", "MARCH1", "ACTB"]
    assert frame["Log2_Fold_Change"].tolist() == [1.5, -2.0, 0.1]


def test_results_without_a_plot_id_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="plot_id"):
        pluto.read("PLX140206", "results", token=FAKE_TOKEN)


def test_an_unknown_data_type_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'sample', 'assay' or 'results'"):
        pluto.read("PLX140206", "counts", token=FAKE_TOKEN)


def test_filters_are_sent_comma_separated(fake: FakePluto, fake_client: Client) -> None:
    fake.route("GET", ASSAY, json_table(["gene_symbol", "S1"], [{"gene_symbol": "A", "S1": 1}]))

    fake_client.read("PLX140206", "assay", samples=["S1"], genes=["A", "B"], quiet=True)

    assert fake.requests_to(ASSAY)[0].query == {
        "samples": "S1",
        "genes": "A,B",
        "limit": "10000",
        "offset": "0",
    }


def arrow_frame(count: int) -> pd.DataFrame:
    """A frame with integers, integers with gaps, floats and gene symbols."""
    return pd.DataFrame(
        {
            "gene_symbol": [TRICKY_GENES[i % len(TRICKY_GENES)] for i in range(count)],
            "S1": pd.array(range(count), dtype="int64"),
            "S2": pd.array([None if i % 3 == 0 else i for i in range(count)], dtype="Int64"),
            "score": [i / 2 for i in range(count)],
        }
    )


def test_arrow_pages_are_read_with_types_kept(
    fake: FakePluto, fake_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = arrow_frame(25)
    fake.route("GET", ASSAY, arrow_table(expected))
    fake_client.page_size = 10

    frame = fake_client.read("PLX140206", "assay")

    pd.testing.assert_frame_equal(frame, expected)
    assert frame["S1"].dtype == "int64" and str(frame["S2"].dtype) == "Int64"
    assert len(fake.requests_to(ASSAY)) == 3
    assert "all 25 rows in the assay data in batches of 10 rows" in capsys.readouterr().err


def test_a_cached_table_is_revalidated_and_not_transferred_again(
    fake: FakePluto, tmp_path: Path
) -> None:
    fake.route("GET", ASSAY, arrow_table(arrow_frame(25)))
    first_read = pluto.read(
        "PLX140206", "assay", url=fake.url, token=FAKE_TOKEN, quiet=True, cache=tmp_path / "cache"
    )

    with Client(fake.url, FAKE_TOKEN, cache=tmp_path / "cache") as client:
        again = client.read("PLX140206", "assay", quiet=True)

    assert client.cache is not None and client.cache.revalidated == 1
    repeat = fake.requests_to(ASSAY)[-1]
    assert repeat.header("If-None-Match") == '"v1"'
    pd.testing.assert_frame_equal(again, first_read)


def test_the_cache_folder_can_come_from_the_environment(
    fake: FakePluto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUTO_CACHE_DIR", str(tmp_path / "env-cache"))
    fake.route("GET", ASSAY, arrow_table(arrow_frame(5)))

    pluto.read("PLX140206", "assay", url=fake.url, token=FAKE_TOKEN, quiet=True)
    pluto.read("PLX140206", "assay", url=fake.url, token=FAKE_TOKEN, quiet=True)

    assert [r.header("If-None-Match") for r in fake.requests_to(ASSAY)] == [None, '"v1"']
    assert list((tmp_path / "env-cache").glob("*.page"))


def test_a_table_that_changes_between_pages_is_refused(
    fake: FakePluto, fake_client: Client
) -> None:
    def growing(request: Received) -> Reply:
        count = 10 if request.query["offset"] == "0" else 12
        items = [{"sample_id": "S"}] * min(4, count - int(request.query["offset"]))
        return Reply(200, {"count": count, "headers": ["sample_id"], "items": items})

    fake.route("GET", SAMPLES, growing)
    fake_client.page_size = 4

    with pytest.raises(pluto.PlutoError, match="changed while it was being read"):
        fake_client.read("PLX140206", "sample", quiet=True)
