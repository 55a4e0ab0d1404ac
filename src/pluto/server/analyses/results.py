"""Results tables of analyses, stored like every other table: an immutable Parquet dataset."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.db import IntegrityError, transaction

from pluto.server.accounts.models import User
from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from pluto.server.tables.models import Dataset
from pluto.server.tables.parsing import ROW_GROUP_ROWS
from pluto.server.tables.services import next_version

RESULTS_KIND = "results"
VERSION_ATTEMPTS = 10


def store_results(analysis: Analysis, frame: pd.DataFrame) -> Dataset:
    """Store an analysis's results table and describe it with a dataset row."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return store_frame_table(
        analysis.experiment, table, f"{analysis.analysis_type}.parquet", analysis.created_by
    )


def store_frame_table(
    experiment: Experiment, table: pa.Table, filename: str, user: User | None
) -> Dataset:
    """Store an Arrow table as a results dataset of the experiment."""
    key = f"results/{experiment.uuid}/{uuid.uuid4()}.parquet"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.parquet"
        pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        stored = get_storage().put(key, path)
    fields = {
        "experiment": experiment,
        "kind": RESULTS_KIND,
        "storage_key": key,
        "row_count": table.num_rows,
        "columns": table.column_names,
        "column_types": [str(t) for t in table.schema.types],
        "sha256": stored.sha256,
        "size": stored.size,
        "source_filename": filename[:255],
        "source_format": "parquet",
        "created_by": user,
    }
    return create_numbered(experiment, fields)


def create_numbered(experiment: Experiment, fields: dict[str, Any]) -> Dataset:
    """The dataset row with the next version number; two analyses finishing at once both
    get one (the loser of a race for a number takes the next)."""
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                return Dataset.objects.create(
                    version=next_version(experiment, RESULTS_KIND), **fields
                )
        except IntegrityError:
            if attempt >= VERSION_ATTEMPTS:
                raise
            attempt += 1
