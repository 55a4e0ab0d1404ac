"""An experiment's current tables, loaded as pandas frames for the analysis runners."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from pluto.server.tables.models import Dataset
from pluto.server.tables.services import current_dataset

NOUNS = {"sample": "sample data", "assay": "assay data"}


def required_dataset(experiment: Experiment, kind: str, field: str = "analysis_type") -> Dataset:
    """The current dataset, or an error telling the scientist to upload it first."""
    dataset = current_dataset(experiment, kind)
    if dataset is None:
        raise InvalidInput(
            f"Experiment {experiment.pluto_id} has no {NOUNS[kind]} yet; upload it first.",
            details={"field": field},
        )
    return dataset


def dataset_frame(dataset: Dataset) -> pd.DataFrame:
    """A whole stored table as a DataFrame (id columns stay strings)."""
    with get_storage().open(dataset.storage_key) as handle:
        return pq.read_table(handle).to_pandas()


def sample_frame(experiment: Experiment) -> pd.DataFrame:
    """The sample table indexed by ``sample_id``."""
    frame = dataset_frame(required_dataset(experiment, "sample"))
    return frame.set_index("sample_id")


def count_frame(experiment: Experiment) -> pd.DataFrame:
    """The assay matrix, genes x samples, indexed by the feature id."""
    frame = dataset_frame(required_dataset(experiment, "assay"))
    return frame.set_index(frame.columns[0])
