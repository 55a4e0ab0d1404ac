"""The New analysis forms: one per analysis type, filled from the sample table.

The form posts plain fields; this module turns them into the analysis parameters of API.md
and hands them to the analyses service, which validates them against the data at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from pluto.server.analyses.models import Analysis, AnalysisStatus, GeneSetCollection
from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.tables.models import Dataset
from pluto.server.tables.services import current_dataset
from pluto.server.web.table_view import read_whole

MAX_VALUES = 200


@dataclass(frozen=True)
class AnalysisType:
    """An analysis a scientist can start from the page."""

    name: str
    title: str
    summary: str
    fields: tuple[str, ...]


ANALYSIS_TYPES = (
    AnalysisType(
        "differential_expression",
        "Differential expression",
        "Genes that change between two groups of samples (DESeq2), shown as a volcano plot.",
        (
            "group_column",
            "experimental_values",
            "control_values",
            "covariates",
            "min_count",
            "min_sample_fraction",
            "alpha",
        ),
    ),
    AnalysisType(
        "principal_components",
        "Principal components (PCA)",
        "How samples group by their most variable genes, on two principal components.",
        ("group_column", "top_genes"),
    ),
    AnalysisType(
        "umap",
        "UMAP",
        "A two-dimensional map of the samples, built on their principal components.",
        ("group_column", "top_genes", "n_neighbors", "min_dist"),
    ),
    AnalysisType(
        "gene_set_enrichment",
        "Gene set enrichment",
        "Which gene sets move together in a differential expression result (preranked GSEA).",
        ("differential_expression_id", "gene_set_collection", "rank_by", "min_size", "max_size"),
    ),
)
TYPES = {kind.name: kind for kind in ANALYSIS_TYPES}
LIST_FIELDS = {"experimental_values", "control_values", "covariates"}
INTEGER_FIELDS = {"min_count", "top_genes", "n_neighbors", "min_size", "max_size"}
DECIMAL_FIELDS = {"min_sample_fraction", "alpha", "min_dist"}
RANK_CHOICES = (
    ("fold_change", "Log2 fold change"),
    ("p_value", "P-value"),
    ("sign_p_value", "Sign of the fold change times -log10 p-value"),
    ("fold_change_p_value", "Log2 fold change times -log10 p-value"),
)


@dataclass(frozen=True)
class SampleChoices:
    """The sample table's annotation columns and the values each one holds."""

    columns: list[str]
    values: dict[str, list[str]]
    sample_count: int

    def grouping_columns(self) -> list[str]:
        """Columns with at least two values: the ones that can split samples into groups."""
        return [name for name in self.columns if len(self.values[name]) >= 2]


def distinct_values(dataset: Dataset) -> dict[str, list[str]]:
    """Each annotation column's distinct values, as text, in sorted order."""
    table = read_whole(dataset)
    values: dict[str, list[str]] = {}
    for name in table.column_names[1:]:
        seen = {str(v) for v in table.column(name).to_pylist() if v not in (None, "")}
        values[name] = sorted(seen)[:MAX_VALUES]
    return values


def sample_choices(experiment: Experiment) -> SampleChoices | None:
    """What the forms offer from the current sample table (None before one is uploaded)."""
    dataset = current_dataset(experiment, "sample")
    if dataset is None:
        return None
    values = distinct_values(dataset)
    return SampleChoices(list(values), values, int(dataset.row_count))


def completed_de_analyses(experiment: Experiment) -> list[Analysis]:
    """Finished differential expression analyses, newest first (inputs of enrichment)."""
    return list(
        Analysis.objects.filter(
            experiment=experiment,
            analysis_type="differential_expression",
            status=AnalysisStatus.COMPLETE,
        ).order_by("-created_at", "-id")
    )


def collections() -> list[GeneSetCollection]:
    """The instance's gene set collections."""
    return list(GeneSetCollection.objects.order_by("shortname"))


def number(raw: str, name: str) -> int | float:
    """A typed number from a form field, or ``400 invalid`` naming it."""
    try:
        return int(raw) if name in INTEGER_FIELDS else float(raw)
    except ValueError as exc:
        kind = "a whole number" if name in INTEGER_FIELDS else "a number"
        raise InvalidInput(
            f"'{name}' must be {kind}.", details={"field": f"parameters.{name}"}
        ) from exc


def field_value(form: QueryDict, name: str) -> Any:
    """One parameter from the form; None when left empty (its default applies)."""
    if name in LIST_FIELDS:
        return [value for value in form.getlist(name) if value.strip()]
    raw = form.get(name, "").strip()
    if not raw:
        return None
    if name in INTEGER_FIELDS or name in DECIMAL_FIELDS:
        return number(raw, name)
    return raw


def analysis_request(form: QueryDict) -> dict[str, Any]:
    """The body of ``POST analyses/`` that the submitted form describes."""
    kind = TYPES.get(form.get("analysis_type", ""))
    if kind is None:
        raise InvalidInput("Choose an analysis type.", details={"field": "analysis_type"})
    parameters = {name: field_value(form, name) for name in kind.fields}
    body: dict[str, Any] = {
        "analysis_type": kind.name,
        "parameters": {k: v for k, v in parameters.items() if v not in (None, [])},
    }
    if form.get("name", "").strip():
        body["name"] = form["name"].strip()
    return body


def rerun_request(form: QueryDict, analysis: Analysis) -> dict[str, Any]:
    """The body of a re-run: the parameters the form shows, changed or not.

    Only fields the form sent are changes; one left empty takes its default, and a parameter
    the form does not show keeps the earlier run's value.
    """
    kind = TYPES.get(analysis.analysis_type)
    if kind is None:
        raise InvalidInput("Only built-in analyses can be run again with other parameters.")
    changes = {name: field_value(form, name) for name in kind.fields if name in form}
    body: dict[str, Any] = {"parameters": changes}
    if form.get("name", "").strip():
        body["name"] = form["name"].strip()
    return body


def form_values(parameters: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters as a form shows them (numbers as text, so zero is not blank)."""
    shown: dict[str, Any] = {}
    for name, value in parameters.items():
        if value is None:
            shown[name] = ""
        elif isinstance(value, list | tuple):
            shown[name] = [str(item) for item in value]
        else:
            shown[name] = str(value)
    return shown
