"""Numbers in the page's tables are right-aligned: their cells carry the ``num`` class."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from pluto.server.lab.models import Experiment
from pluto.server.web.table_view import numeric_column
from tests.conftest import Caller
from tests.web.conftest import counts_csv, html, run_pca, signed_in, upload

SAMPLES_WITH_NUMBERS = (
    b"sample_id,condition,age,weight,batch\n"
    b"S1,treated,34,61.5,b1\nS2,control,41,,b2\nS3,treated,29,70.25,b1\n"
    b"S4,control,55,58,b2\nS5,treated,38,66,b1\nS6,control,47,72.5,b2\n"
)


def data_table(page: str) -> str:
    """The page's data table (the sample table, assay matrix or results table)."""
    return page.split('<table class="data">')[1].split("</table>")[0]


def header_classes(page: str) -> dict[str, bool]:
    """Each header of the page's data table, and whether it is marked numeric."""
    headers = re.findall(
        r'<th scope="col"( class="num")?[^>]*>(?:<a [^>]*>)?([^<▲▼]+)', data_table(page)
    )
    return {name.strip(): bool(marked) for marked, name in headers}


def first_row(page: str) -> str:
    """The first body row of the page's data table."""
    return data_table(page).split("<tbody>")[1].split("</tr>")[0].strip()


@pytest.fixture
def samples(ada: Caller, experiment: Experiment, tmp_path: Path) -> Experiment:
    upload(ada.user, experiment, "sample", SAMPLES_WITH_NUMBERS, tmp_path)
    upload(ada.user, experiment, "assay", counts_csv(), tmp_path)
    return experiment


def test_the_sample_table_marks_its_numeric_columns(ada: Caller, samples: Experiment) -> None:
    page = html(signed_in(ada.user).get(f"/experiments/{samples.pluto_id}/?tab=samples"))

    assert header_classes(page) == {
        "sample_id": False,
        "condition": False,
        "age": True,
        "weight": True,
        "batch": False,
    }
    assert first_row(page) == (
        '<tr><td>S1</td><td>treated</td><td class="num">34</td><td class="num">61.5</td><td>b1</td>'
    )


def test_the_assay_matrix_marks_its_sample_columns(ada: Caller, samples: Experiment) -> None:
    page = html(signed_in(ada.user).get(f"/experiments/{samples.pluto_id}/?tab=assay"))
    row = first_row(page)

    assert header_classes(page)["gene_symbol"] is False
    assert all(header_classes(page)[f"S{i}"] for i in range(1, 7))
    assert row.startswith("<tr><td>GENE1</td>") and row.count('<td class="num">') == 6


def test_a_gene_search_keeps_the_marks(ada: Caller, samples: Experiment) -> None:
    page = html(signed_in(ada.user).get(f"/experiments/{samples.pluto_id}/?tab=assay&q=GENE2"))

    assert first_row(page).count('<td class="num">') == 6


def test_the_results_table_marks_its_numeric_columns(ada: Caller, samples: Experiment) -> None:
    pca = run_pca(ada.user, samples)
    page = html(signed_in(ada.user).get(f"/experiments/{samples.pluto_id}/plots/{pca.plot.uuid}/"))
    classes = header_classes(page)

    assert classes["Sample_ID"] is False and classes["PC1"] and classes["PC2"]
    assert re.search(r'<tr><td>S\d</td><td class="num">-?[\d.]', page)


@pytest.mark.parametrize(
    ("data_type", "shown", "numeric"),
    [
        (pa.int64(), ["1", "2"], True),
        (pa.float64(), ["", "0.5"], True),
        (pa.decimal128(10, 2), ["1.50"], True),
        (pa.bool_(), ["True"], False),
        (pa.string(), ["1", "2.5", "", "-3e-05"], True),
        (pa.string(), ["1", "two"], False),
        (pa.string(), ["", ""], False),
        (pa.string(), ["nan"], False),
        (pa.timestamp("s"), ["2024-01-01 00:00:00"], False),
    ],
)
def test_numeric_columns_by_type_or_by_their_values(
    data_type: pa.DataType, shown: list[str], numeric: bool
) -> None:
    assert numeric_column(data_type, shown) is numeric
