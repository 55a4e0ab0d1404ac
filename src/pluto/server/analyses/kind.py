"""What an analysis kind declares: everything the server needs to know about it, in one place.

A kind is one module of :mod:`pluto.server.analyses.kinds` exposing ``KIND``. From it come the
validation of its parameters (its pydantic model: the only validation), the OpenAPI schema,
the web form, the CLI's parameter help and the SDK's keywords (both through
``GET lab/analysis-types/``), the check of its inputs when it is created, the run in a worker,
its results columns, and its displays with their figures and options.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from pydantic import BaseModel

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.compute.parameters import Parameters
from pluto.server.analyses.priority import JobPriority


class Inputs(Protocol):
    """The data an analysis reads, loaded when first asked for."""

    @property
    def samples(self) -> pd.DataFrame:
        """The sample table, indexed by sample id (in the order of the assay's columns)."""
        ...

    @property
    def counts(self) -> pd.DataFrame:
        """The assay matrix: features (gene symbols or peak ids) by samples."""
        ...

    @property
    def units(self) -> str:
        """The short name of the assay's units (``raw_counts``, ``cpm``, ...)."""
        ...

    @property
    def feature_column(self) -> str:
        """What the assay's rows are: ``gene_symbol``, or ``peak_id`` for peak assays."""
        ...

    def results(self, analysis_id: str, field: str) -> pd.DataFrame:
        """The results table of another completed analysis of the experiment; an
        :class:`AnalysisInputError` naming ``field`` when there is none."""
        ...

    def parameters_of(self, analysis_id: str, field: str) -> Mapping[str, Any]:
        """The parameters another completed analysis of the experiment ran with."""
        ...

    def gene_sets(self, shortname: str, field: str) -> GeneSetCollection:
        """A gene set collection by short name; an error naming ``field`` when unknown."""
        ...


Check = Callable[[Any, Inputs], None]
Run = Callable[[Any, Inputs, Progress], AnalysisResult]
Figure = Callable[[pd.DataFrame, str, Mapping[str, Any], "FigureContext"], dict[str, Any]]
# The numbers ``stats/`` answers, from a finished run's summary and its parameters.
Stats = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]


def is_number(value: Any) -> bool:
    """A JSON number (not a boolean), or a list of them."""
    if isinstance(value, list):
        return bool(value) and all(is_number(v) for v in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def summary_figures(summary: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The default ``stats/``: every number (or list of numbers) of the run's summary."""
    return {key: value for key, value in summary.items() if is_number(value)}


def summary_numbers(*keys: str, parameters: tuple[str, ...] = ()) -> Stats:
    """``stats/`` made of these summary entries, then these parameters (the thresholds the
    numbers were counted at); entries a run did not record are left out."""

    def stats(summary: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
        picked = {key: summary[key] for key in keys if key in summary}
        return {**picked, **{name: given[name] for name in parameters if name in given}}

    return stats


@dataclass(frozen=True)
class FigureContext:
    """What a figure may need beside its results table and options."""

    computed: Mapping[str, Any]  # the run's own display settings (AnalysisResult.display)
    samples: pd.DataFrame | None  # the sample table, for colouring by a sample column


@dataclass(frozen=True)
class Display:
    """A way to show results: its display type, its options model and its figure."""

    display_type: str
    options: type[BaseModel]
    figure: Figure
    column_major: bool = False  # JSON pages of its data go column by column (the R client)
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # options not set


@dataclass(frozen=True)
class Kind:
    """One analysis kind. ``check`` runs when the analysis is created (cheap: the sample
    table, units, other analyses), ``run`` in a worker; both raise ``AnalysisInputError``
    naming the parameter to fix."""

    analysis_type: str
    title: str
    summary: str
    parameters: type[Parameters]
    check: Check
    run: Run
    columns: tuple[str, ...]
    displays: tuple[Display, ...]
    aliases: tuple[str, ...] = ()
    needs_counts: bool = True
    # One more results column per sample, named by its sample id, after the first column.
    sample_columns: bool = False
    # Modules the runner imports only when it computes (so web processes need not load
    # them); a worker imports them once, before it forks the processes that run jobs.
    libraries: tuple[str, ...] = ()
    # What ``stats/`` answers: the numbers a person reads first.
    stats: Stats = summary_figures
    # The results columns ``summary/?search=`` matches (the rows' ids); default the first.
    search_columns: tuple[str, ...] = ()
    # How soon its jobs run (``JobPriority``): interactive unless the kind is a long run.
    priority: int = JobPriority.INTERACTIVE

    @property
    def searched_columns(self) -> tuple[str, ...]:
        """The columns a results search matches."""
        return self.search_columns or self.columns[:1]

    @property
    def display(self) -> Display:
        """The display a new analysis of this kind gets."""
        return self.displays[0]


@dataclass(frozen=True)
class FrameInputs:
    """:class:`Inputs` held in memory: for computing without a database (tests, checks
    against R)."""

    samples: pd.DataFrame
    counts: pd.DataFrame
    units: str = "raw_counts"
    analyses: Mapping[str, tuple[Mapping[str, Any], pd.DataFrame]] = dataclasses.field(
        default_factory=dict
    )
    collections: Mapping[str, GeneSetCollection] = dataclasses.field(default_factory=dict)

    @property
    def feature_column(self) -> str:
        return str(self.counts.index.name or "gene_symbol")

    def results(self, analysis_id: str, field: str) -> pd.DataFrame:
        return self.analysis(analysis_id, field)[1]

    def parameters_of(self, analysis_id: str, field: str) -> Mapping[str, Any]:
        return self.analysis(analysis_id, field)[0]

    def analysis(self, analysis_id: str, field: str) -> tuple[Mapping[str, Any], pd.DataFrame]:
        """The parameters and results of a held analysis, or an error naming ``field``."""
        if analysis_id not in self.analyses:
            raise AnalysisInputError(f"No completed analysis {analysis_id}.", field)
        return self.analyses[analysis_id]

    def gene_sets(self, shortname: str, field: str) -> GeneSetCollection:
        if shortname not in self.collections:
            raise AnalysisInputError(f"Unknown gene set collection {shortname!r}.", field)
        return self.collections[shortname]
