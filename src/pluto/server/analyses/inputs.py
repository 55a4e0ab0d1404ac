"""An experiment's current tables, loaded as pandas frames for the analysis runners."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.kind import Kind
from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from pluto.server.tables.headers import feature_column
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


class ExperimentInputs:
    """What a kind reads (:class:`pluto.server.analyses.kind.Inputs`) from an experiment's
    stored data, each table loaded when first asked for."""

    def __init__(self, experiment: Experiment, kind: Kind) -> None:
        self.experiment = experiment
        self.kind = kind

    @functools.cached_property
    def samples(self) -> pd.DataFrame:
        """The current sample table, indexed by sample id."""
        return sample_frame(self.experiment)

    @functools.cached_property
    def counts(self) -> pd.DataFrame:
        """The current assay matrix, features by samples."""
        return count_frame(self.experiment)

    @property
    def units(self) -> str:
        """The short name of the experiment's assay units."""
        return str(self.experiment.assay_units.shortname)

    @property
    def feature_column(self) -> str:
        """``gene_symbol``, or ``peak_id`` when the experiment's type is peak-based."""
        return feature_column(str(self.experiment.type.shortname))

    def results(self, analysis_id: str, field: str) -> pd.DataFrame:
        """The results of a completed analysis of this experiment named by ``field``."""
        source = self.source_analysis(analysis_id, field)
        return dataset_frame(source.plot.results)

    def parameters_of(self, analysis_id: str, field: str) -> Mapping[str, Any]:
        """The parameters a completed analysis of this experiment ran with."""
        return dict(self.source_analysis(analysis_id, field).parameters)

    def source_analysis(self, analysis_id: str, field: str) -> Any:
        """The completed analysis ``field`` names, of the type the field asks for."""
        from pluto.server.analyses.sources import completed_analysis

        wanted = field_choices(self.kind, field).get("analysis_type")
        return completed_analysis(self.experiment, analysis_id, field, wanted)

    def gene_sets(self, shortname: str, field: str) -> GeneSetCollection:
        """A stored gene set collection, parsed."""
        from pluto.server.analyses.sources import collection_gene_sets

        return collection_gene_sets(shortname, field)


def field_choices(kind: Kind, field: str) -> dict[str, Any]:
    """Where the parameter ``field`` of ``kind`` takes its choices from (``json_schema_extra``)."""
    info = kind.parameters.model_fields.get(field)
    extra = info.json_schema_extra if info is not None else None
    return dict(extra) if isinstance(extra, dict) else {}
