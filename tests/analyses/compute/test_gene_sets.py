"""GMT parsing: what is accepted, and errors that name the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import (
    GeneSet,
    GeneSetCollection,
    bundled_collections,
    format_gmt,
    parse_gmt,
)

GOOD = "UP\tgenes going up\tA\tB\tB\tC\t\n\nDOWN\thttp://example.org/down\tD\tE\n"


def test_parses_sets_in_order_dropping_repeats_and_empty_fields() -> None:
    collection = parse_gmt(GOOD)
    assert list(collection) == ["UP", "DOWN"]
    assert collection.gene_sets["UP"] == GeneSet("genes going up", ("A", "B", "C"))
    assert collection.all_genes() == {"A", "B", "C", "D", "E"}


def test_reads_paths_gzip_and_bytes(tmp_path: Path) -> None:
    plain, packed = tmp_path / "sets.gmt", tmp_path / "sets.gmt.gz"
    plain.write_text(GOOD)
    packed.write_bytes(gzip.compress(GOOD.encode()))
    for source in (plain, str(plain), packed, GOOD.encode()):
        assert parse_gmt(source) == parse_gmt(GOOD)


def test_format_round_trips() -> None:
    collection = GeneSetCollection.from_mapping({"S": ("", ["X", "Y"]), "T": ("desc", ["Z"])})
    assert parse_gmt(format_gmt(collection)) == collection


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("UP\tdesc\tA\nDOWN\tdesc\n", "Line 2: expected a gene set name"),
        (
            "UP desc A B\n",
            "Line 1: expected a gene set name, a description and at least one gene",
        ),
        ("UP\tdesc\tA\n\nUP\tagain\tB\n", "Line 3: gene set 'UP' was already defined on line 1"),
        ("UP\tdesc\tA\n\tdesc\tB\n", "Line 2: the gene set has no name"),
        ("UP\tdesc\t\t\n", "Line 1: gene set 'UP' lists no genes"),
        ("\n\n", "holds no gene set"),
        ("", "holds no gene set"),
    ],
)
def test_errors_name_the_line(text: str, words: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        parse_gmt(text)
    assert caught.value.field == "gmt"
    assert words in caught.value.message


def test_spaces_instead_of_tabs_get_a_hint() -> None:
    with pytest.raises(AnalysisInputError) as caught:
        parse_gmt("UP desc A B\n")
    assert "separated by tabs, not spaces" in caught.value.message


def test_non_utf8_names_the_line() -> None:
    with pytest.raises(AnalysisInputError) as caught:
        parse_gmt(b"UP\tdesc\tA\nDOWN\tcaf\xe9\tB\n")
    assert "Line 2" in caught.value.message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        parse_gmt(tmp_path / "absent.gmt")
    assert "cannot be read" in caught.value.message


def test_shipped_collection_loads() -> None:
    shipped = bundled_collections()
    assert list(shipped) == ["GO_Biological_Process_2023"]
    collection = parse_gmt(shipped["GO_Biological_Process_2023"])
    assert len(collection) == 5407
    assert "IDH1" in collection.gene_sets["2-Oxoglutarate Metabolic Process (GO:0006103)"].genes
