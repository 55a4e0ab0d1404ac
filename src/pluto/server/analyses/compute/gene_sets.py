"""Gene set collections: reading and checking GMT files, and the collections Pluto ships.

A GMT file has one gene set per line: its name, a description (may be empty or a URL),
then its genes, all separated by tabs. Blank lines are skipped; repeated genes within a
set are kept once; empty fields (such as a trailing tab) are ignored.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pluto.server.analyses.compute.errors import AnalysisInputError

BUNDLED_DIRECTORY = Path(__file__).resolve().parent.parent / "gene_sets"
GMT_SUFFIXES = (".gmt", ".gmt.gz")
FIELD = "gmt"


class GeneSet(NamedTuple):
    """One gene set: a description (possibly empty) and its genes, in file order."""

    description: str
    genes: tuple[str, ...]


@dataclass(frozen=True)
class GeneSetCollection:
    """Gene sets by name, in file order."""

    gene_sets: Mapping[str, GeneSet]

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, tuple[str, Sequence[str]]]) -> GeneSetCollection:
        """A collection from ``{name: (description, genes)}``."""
        return cls(
            {
                name: GeneSet(description, tuple(dict.fromkeys(genes)))
                for name, (description, genes) in mapping.items()
            }
        )

    def __len__(self) -> int:
        return len(self.gene_sets)

    def __iter__(self) -> Iterator[str]:
        return iter(self.gene_sets)

    def all_genes(self) -> set[str]:
        """Every gene in any set."""
        return {gene for gene_set in self.gene_sets.values() for gene in gene_set.genes}


def parse_gmt(source: str | bytes | Path) -> GeneSetCollection:
    """A collection from GMT text, bytes, or a file path (``.gz`` files are decompressed).

    A one-line ``str`` without tabs that names a file (a ``/`` in it, or a ``.gmt``,
    ``.gmt.gz`` or ``.txt`` suffix) is read as a path; any other ``str`` is GMT text.
    Refuses, naming the line: lines without a name and at least one gene, a gene set
    named twice, and files that are not UTF-8 or hold no gene set.
    """
    collection: dict[str, GeneSet] = {}
    first_line: dict[str, int] = {}
    for number, line in enumerate(gmt_text(source).splitlines(), start=1):
        if not line.strip():
            continue
        name, gene_set = parse_line(line, number)
        if name in collection:
            raise AnalysisInputError(
                f"Line {number}: gene set {name!r} was already defined on line "
                f"{first_line[name]}; gene set names must be unique.",
                FIELD,
            )
        collection[name], first_line[name] = gene_set, number
    if not collection:
        raise AnalysisInputError("The GMT file holds no gene set.", FIELD)
    return GeneSetCollection(collection)


def gmt_text(source: str | bytes | Path) -> str:
    """The text of a GMT source, from a path, bytes or the text itself."""
    if isinstance(source, str) and not looks_like_path(source):
        return source
    data = source if isinstance(source, bytes) else read_file(Path(source))
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise AnalysisInputError(
            f"Line {line}: the GMT file is not UTF-8 text; save it as UTF-8.", FIELD
        ) from error


def looks_like_path(text: str) -> bool:
    """A single line with a folder separator or a GMT-like suffix, rather than GMT text."""
    if "\t" in text or "\n" in text:
        return False
    return "/" in text or text.lower().endswith((*GMT_SUFFIXES, ".txt"))


def read_file(path: Path) -> bytes:
    """The bytes of a GMT file, or an error saying it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise AnalysisInputError(
            f"The GMT file {str(path)!r} cannot be read: {error.strerror}.", FIELD
        ) from error


def parse_line(line: str, number: int) -> tuple[str, GeneSet]:
    """One gene set from one GMT line."""
    fields = line.rstrip("\r\n").split("\t")
    name = fields[0].strip()
    if len(fields) < 3:
        hint = " (fields must be separated by tabs, not spaces)" if " " in line.strip() else ""
        raise AnalysisInputError(
            f"Line {number}: expected a gene set name, a description and at least one gene, "
            f"separated by tabs{hint}.",
            FIELD,
        )
    if not name:
        raise AnalysisInputError(f"Line {number}: the gene set has no name.", FIELD)
    genes = tuple(dict.fromkeys(gene.strip() for gene in fields[2:] if gene.strip()))
    if not genes:
        raise AnalysisInputError(f"Line {number}: gene set {name!r} lists no genes.", FIELD)
    return name, GeneSet(fields[1].strip(), genes)


def format_gmt(collection: GeneSetCollection) -> str:
    """The collection as GMT text (what :func:`parse_gmt` reads back unchanged)."""
    return "".join(
        "\t".join([name, gene_set.description, *gene_set.genes]) + "\n"
        for name, gene_set in collection.gene_sets.items()
    )


def bundled_collections() -> dict[str, Path]:
    """The collections shipped with Pluto, by short name (the file name without its
    suffix); see ``gene_sets/README.md`` for their source and licence."""
    return {
        path.name.removesuffix(".gz").removesuffix(".gmt"): path
        for path in sorted(BUNDLED_DIRECTORY.iterdir())
        if path.name.endswith(GMT_SUFFIXES)
    }
