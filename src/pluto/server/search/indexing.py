"""Keeping the searchable text of sample tables up to date."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from django.utils import timezone

from pluto.server.search.models import SearchText
from pluto.server.tables.models import SAMPLE, Dataset
from pluto.server.tables.reading import open_parquet

MAX_TEXT = 200_000
MAX_VALUE = 200


def distinct_values(column: pa.ChunkedArray) -> list[str]:
    """The distinct non-empty values of a column, as text."""
    try:
        texts = pc.unique(column.cast(pa.string())).to_pylist()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return []
    return [text.strip()[:MAX_VALUE] for text in texts if text and text.strip()]


def sample_text(dataset: Dataset) -> str:
    """Every distinct value (and column name) of a stored sample table, one text."""
    words: dict[str, None] = dict.fromkeys(str(name) for name in dataset.columns)
    with open_parquet(dataset.storage_key) as parquet:
        table = parquet.read()
    for column in table.columns:
        words.update(dict.fromkeys(distinct_values(column)))
    return " ".join(words)[:MAX_TEXT]


def refresh_sample_text(dataset: Dataset) -> None:
    """Make the experiment's search text that of ``dataset`` when it is a sample table."""
    if dataset.kind != SAMPLE:
        return
    SearchText.objects.update_or_create(
        experiment_id=dataset.experiment_id,
        defaults={"text": sample_text(dataset), "updated_at": timezone.now()},
    )
