"""The header rules of sample tables and assay matrices, and the stored column order.

A sample table needs one id column (``Sample_ID``, ``sample id``, ``SampleID`` ... are all
accepted and stored as ``sample_id``), stored first. An assay matrix starts with its feature
column (``gene_symbol``, or ``peak_id`` for peak-based assays), then one column per sample.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from pluto.server.errors import InvalidInput

SAMPLE_ID = "sample_id"
GENE_SYMBOL = "gene_symbol"
PEAK_ID = "peak_id"
PEAK_BASED_TYPES = {"atacseq", "chipseq", "cutandrun", "cutandtag"}
SHOWN_NAMES = 20
SEPARATORS = re.compile(r"[\s_.\-]+")


@dataclass(frozen=True)
class Header:
    """The stored column names, and which file column each one comes from."""

    names: list[str]
    positions: list[int]

    @property
    def id_column(self) -> str:
        """The name of the id column (always the first)."""
        return self.names[0]

    def arrange(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """A batch of the file, with the stored names in the stored order."""
        arrays = [batch.column(i) for i in self.positions]
        return pa.RecordBatch.from_arrays(arrays, names=self.names)

    def arrange_schema(self, schema: pa.Schema) -> pa.Schema:
        """A file's schema with the stored names in the stored order."""
        pairs = zip(self.names, self.positions, strict=True)
        fields = [schema.field(position).with_name(name) for name, position in pairs]
        return pa.schema(fields)


def name_key(name: str) -> str:
    """A name with case, spaces, underscores, dots and hyphens ignored: ``sampleid``."""
    return SEPARATORS.sub("", name.lower())


def feature_column(experiment_type: str) -> str:
    """``peak_id`` for peak-based experiment types, ``gene_symbol`` for the rest."""
    return PEAK_ID if experiment_type in PEAK_BASED_TYPES else GENE_SYMBOL


def header_error(message: str, **details: object) -> InvalidInput:
    """A ``400 invalid`` about the header row (row 1)."""
    return InvalidInput(message, details={"row": 1, **details})


def clean_names(raw: list[str]) -> list[str]:
    """Header names without surrounding spaces; unnamed and repeated columns are errors."""
    names = [str(name).strip() for name in raw]
    unnamed = [i + 1 for i, name in enumerate(names) if not name]
    if unnamed:
        raise header_error(
            f"Column(s) {', '.join(map(str, unnamed[:SHOWN_NAMES]))} of the header have no name; "
            "give every column a name (or delete the empty columns).",
            columns=unnamed[:SHOWN_NAMES],
        )
    repeated = [name for name, n in Counter(names).items() if n > 1]
    if repeated:
        raise header_error(
            f"The header repeats column name(s) {', '.join(map(repr, repeated[:SHOWN_NAMES]))}; "
            "every column needs its own name.",
            columns=repeated[:SHOWN_NAMES],
        )
    return names


def sample_header(raw: list[str]) -> Header:
    """The header of a sample table: ``sample_id`` first, then the other columns as given."""
    names = clean_names(raw)
    found = [i for i, name in enumerate(names) if name_key(name) == "sampleid"]
    if not found:
        raise header_error(
            "The sample table needs a 'sample_id' column naming each sample "
            f"(the header has {', '.join(map(repr, names[:SHOWN_NAMES]))}).",
            column=SAMPLE_ID,
            found=names[:SHOWN_NAMES],
        )
    if len(found) > 1:
        raise header_error(
            "The sample table has more than one sample id column "
            f"({', '.join(repr(names[i]) for i in found)}); keep one.",
            column=SAMPLE_ID,
            found=[names[i] for i in found],
        )
    others = [i for i in range(len(names)) if i != found[0]]
    return Header([SAMPLE_ID, *(names[i] for i in others)], [found[0], *others])


def assay_header(raw: list[str], id_column: str) -> Header:
    """The header of an assay matrix: the feature column, then one column per sample."""
    names = clean_names(raw)
    if name_key(names[0]) != name_key(id_column):
        raise header_error(
            f"The first column of the assay table must be {id_column!r} "
            f"(found {names[0]!r}); rename it and upload again.",
            column=names[0],
            expected=id_column,
        )
    if len(names) < 2:
        raise header_error(
            "The assay table has no sample columns; add one column per sample, named by its "
            "sample_id.",
            expected="one column per sample",
        )
    return Header([id_column, *names[1:]], list(range(len(names))))
