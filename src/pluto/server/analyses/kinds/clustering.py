"""Clustering: a heatmap of chosen features, rows and samples clustered hierarchically.

The rows are the most variable features, the significant genes of a differential
expression analysis, or a pasted gene list; the values log2 CPM or DESeq2's VST, scaled per
row. Rows (and samples) are clustered with scipy in R ``hclust``'s conventions (see
:mod:`pluto.server.analyses.compute.hierarchy`) and the row tree is cut into clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from pluto.server.analyses.compute import hierarchy
from pluto.server.analyses.compute import row_selection as select
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.expression_values import (
    SCALING_WORDS,
    RowScaling,
    Transform,
    Values,
    scaled_rows,
    transformed,
)
from pluto.server.analyses.compute.inputs import (
    COUNT_UNITS,
    AnalysisResult,
    Progress,
    check_sample_table,
    clean_table,
    plural,
    require_column,
    require_samples,
)
from pluto.server.analyses.compute.parameters import (
    AnalysisId,
    Number,
    Parameters,
    Text,
    WholeNumber,
    choices,
    distinct,
    problem,
)
from pluto.server.analyses.compute.versions import cited
from pluto.server.analyses.heatmap import (
    HEATMAP,
    AnnotationColumns,
    ColourScale,
    annotation_columns_field,
    heatmap_settings,
    sample_tracks,
)
from pluto.server.analyses.kind import Inputs, Kind
from pluto.server.tables.headers import PEAK_ID

MAX_ROWS = 2_000
MAX_CLUSTERS = 50
GENE_SYMBOL = "Gene_Symbol"
FIXED_COLUMNS = ("Row_Order", "Cluster")
DISTANCE_WORDS = {"euclidean": "Euclidean distance", "correlation": "one minus Pearson correlation"}
VALUE_LABELS = {"log2_cpm": "log2 CPM", "vst": "VST"}
SCALED_LABELS = {"zscore": "z-score of {}", "center": "{} (row-centred)", "none": "{}"}

# A switch is true or false only: not "yes", 1 or "false" read as a truth value.
Switch = Annotated[bool, Field(strict=True)]
GeneList = Annotated[
    tuple[Text, ...], BeforeValidator(select.split_genes), AfterValidator(distinct)
]
Selection = Literal["most_variable", "differential_expression", "gene_list"]


class ClusteringParameters(Parameters):
    """Which features to show, how to transform and scale them, and how to cluster."""

    feature_selection: Selection = Field(
        default="most_variable",
        description="Which features are the rows: the most variable ones (top_n), the "
        "significant genes of a differential expression analysis, or a list of genes.",
    )
    top_n: WholeNumber = Field(
        default=500,
        ge=2,
        le=MAX_ROWS,
        description=f"How many of the most variable features to show (at most {MAX_ROWS:,}).",
    )
    differential_expression_id: AnalysisId | None = Field(
        default=None,
        validate_default=True,
        description="The differential expression analysis whose significant genes are shown "
        "(with feature_selection = differential_expression).",
        json_schema_extra=choices("analyses", analysis_type="differential_expression"),
    )
    adj_p_value_threshold: Number = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Significant genes have an adjusted p-value below this.",
    )
    fold_change_threshold: Number = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Significant genes have an absolute log2 fold change of at least this.",
    )
    genes: GeneList = Field(
        default=(),
        validate_default=True,
        description="The genes to show (with feature_selection = gene_list), typed or "
        "pasted; separated by commas, spaces or new lines.",
        json_schema_extra=choices("genes"),
    )
    ignore_unknown_genes: Switch = Field(
        default=False,
        description="Leave out listed genes the assay data does not have, instead of "
        "refusing the list.",
    )
    values: Transform = Field(
        default="log2_cpm",
        description="log2 counts per million, or DESeq2's variance stabilising "
        "transformation (counts only).",
    )
    row_scaling: RowScaling = Field(
        default="zscore", description="Per row: z-scores, centred on the mean, or as they are."
    )
    distance: hierarchy.Distance = Field(
        default="euclidean", description="How unlike two rows (or samples) are."
    )
    linkage: hierarchy.Linkage = Field(
        default="complete",
        validate_default=True,
        description="How clusters are joined (ward needs the euclidean distance).",
    )
    cluster_samples: Switch = Field(
        default=True,
        description="Order the samples by clustering them too (else in sample table order).",
    )
    clusters: WholeNumber = Field(
        default=4,
        ge=1,
        le=MAX_CLUSTERS,
        description="How many clusters the row tree is cut into.",
    )
    annotation_columns: AnnotationColumns = annotation_columns_field()

    @field_validator("differential_expression_id")
    @classmethod
    def analysis_when_asked(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The analysis is needed for, and only used by, that selection."""
        return used_only_by(
            value, info, "differential_expression", "The differential expression analysis"
        )

    @field_validator("genes")
    @classmethod
    def genes_when_asked(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """The list is needed for, and only used by, that selection, and fits a heatmap."""
        used_only_by(value or None, info, "gene_list", "A list of genes")
        if len(value) > MAX_ROWS:
            raise problem(
                f"{len(value):,} genes were given; a heatmap shows at most {MAX_ROWS:,} rows"
            )
        return value

    @field_validator("linkage")
    @classmethod
    def ward_is_euclidean(cls, value: str, info: ValidationInfo) -> str:
        """Ward's method minimises variance, which only Euclidean distances measure."""
        if value == "ward" and info.data.get("distance") == "correlation":
            raise problem(
                "ward linkage needs the euclidean distance; choose linkage average or "
                "complete with the correlation distance"
            )
        return value


def used_only_by(value: Any, info: ValidationInfo, selection: str, what: str) -> Any:
    """Refuse a parameter missing for its selection, or given for another one."""
    chosen = info.data.get("feature_selection")
    if chosen == selection and value is None:
        raise problem(f"{what} is needed when feature_selection is {selection}")
    if chosen is not None and chosen != selection and value is not None:
        raise problem(
            f"{what} is only used when feature_selection is {selection} (it is {chosen}); "
            "leave it out or change feature_selection"
        )
    return value


@dataclass(frozen=True)
class Plotted:
    """The rows and values of the heatmap, its trees and the row clusters."""

    values: pd.DataFrame
    row_tree: hierarchy.Tree
    column_tree: hierarchy.Tree | None
    clusters: np.ndarray

    @property
    def sample_order(self) -> list[str]:
        """The samples left to right."""
        columns = [str(c) for c in self.values.columns]
        if self.column_tree is None:
            return columns
        return [columns[i] for i in self.column_tree.order]


def check(params: ClusteringParameters, inputs: Inputs) -> None:
    """The samples, the annotation columns, the units for VST, and the rows to be shown."""
    samples = inputs.samples
    check_sample_table(samples)
    require_samples(list(samples.index), 2, "The experiment", "samples")
    for column in params.annotation_columns:
        require_column(samples, column, "annotation_columns")
    if params.values == "vst" and inputs.units not in COUNT_UNITS:
        raise AnalysisInputError(
            f"values = vst needs read counts, but the assay data is in {inputs.units!r}; "
            "choose values = log2_cpm.",
            "values",
        )
    refuse_clashing_sample_ids(samples)
    expected_rows = planned_rows(params, inputs)
    if params.clusters > expected_rows:
        raise too_many_clusters(params.clusters, expected_rows)


def refuse_clashing_sample_ids(samples: pd.DataFrame) -> None:
    """Each sample is a results column, so none may be named like the other columns."""
    reserved = {GENE_SYMBOL, PEAK_ID, *FIXED_COLUMNS}
    clashing = [str(s) for s in samples.index if str(s) in reserved]
    if clashing:
        raise AnalysisInputError(
            f"Sample {clashing[0]!r} has the name of a results column of this analysis; "
            "rename the sample in the sample table.",
            "samples",
        )


def planned_rows(params: ClusteringParameters, inputs: Inputs) -> int:
    """How many rows the heatmap will have at most, refusing selections that cannot work."""
    if params.feature_selection == "differential_expression":
        genes = de_genes(params, inputs)
        select.require_significant(genes, thresholds(params), MAX_ROWS)
        return len(genes)
    if params.feature_selection == "gene_list":
        return len(params.genes) - len(checked_unknown(params, inputs.counts.index))
    return params.top_n


def too_many_clusters(clusters: int, rows: int) -> AnalysisInputError:
    """The row tree cannot be cut into more clusters than it has rows."""
    return AnalysisInputError(
        f"clusters ({clusters}) must not exceed the number of rows shown ({rows}).", "clusters"
    )


def thresholds(params: ClusteringParameters) -> select.Significance:
    """The significance thresholds of a differentially expressed gene."""
    return select.Significance(params.adj_p_value_threshold, params.fold_change_threshold)


def de_genes(params: ClusteringParameters, inputs: Inputs) -> list[str]:
    """The significant genes of the chosen differential expression, most significant first."""
    table = inputs.results(str(params.differential_expression_id), select.DE_FIELD)
    return select.significant_genes(table, thresholds(params))


def checked_unknown(params: ClusteringParameters, features: pd.Index) -> list[str]:
    """The listed genes the assay data lacks: refused unless they may be left out, and
    refused when fewer than 2 known ones remain."""
    unknown = select.unknown_genes(params.genes, features)
    if unknown and not params.ignore_unknown_genes:
        select.refuse_unknown(unknown, features)
    if len(params.genes) - len(unknown) < 2:
        raise AnalysisInputError(
            "A heatmap needs at least 2 genes the assay data has; add genes to the list.",
            "genes",
        )
    return unknown


def run(params: ClusteringParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """The heatmap's table: rows in tree order with their values, order and cluster."""
    progress(0.05, "Checking samples and parameters")
    check(params, inputs)
    sample_ids = [str(s) for s in inputs.samples.index]
    progress(0.1, f"Computing {'the VST' if params.values == 'vst' else 'log2 CPM'}")
    values = transformed(inputs.counts, sample_ids, inputs.units, params.values)
    progress(0.5, "Choosing the rows")
    selection = selected_rows(params, inputs, values)
    progress(0.6, f"Clustering {plural(len(selection.frame), 'row')}")
    plotted = clustered(params, scaled_rows(selection.frame, params.row_scaling))
    label = feature_label(inputs.counts)
    return AnalysisResult(
        table=results_table(plotted, label),
        methods=methods_text(params, values, selection, plotted),
        display=display_settings(params, plotted, label, inputs.samples),
        summary=summary(params, selection, plotted),
    )


def selected_rows(params: ClusteringParameters, inputs: Inputs, values: Values) -> select.Selection:
    """The rows the parameters choose, with at least 2 that vary."""
    if params.feature_selection == "differential_expression":
        selection = select.from_differential_expression(
            values.frame, de_genes(params, inputs), thresholds(params), de_source(params, inputs)
        )
    elif params.feature_selection == "gene_list":
        unknown = checked_unknown(params, inputs.counts.index)
        selection = select.from_gene_list(values.frame, params.genes, unknown)
    else:
        selection = select.top_variable(values.frame, params.top_n)
    if len(selection.frame) < 2:
        raise AnalysisInputError(
            f"Only {plural(len(selection.frame), 'row')} of the chosen features "
            "vary between the samples; a heatmap needs at least 2.",
            "feature_selection",
        )
    return selection


def de_source(params: ClusteringParameters, inputs: Inputs) -> str:
    """The differential expression named for a methods text, with its comparison."""
    analysis_id = str(params.differential_expression_id)
    used = inputs.parameters_of(analysis_id, select.DE_FIELD)
    column = used.get("group_column")
    experimental, control = (
        list(used.get(k) or []) for k in ("experimental_values", "control_values")
    )
    comparison = ""
    if column and experimental and control:
        groups = " or ".join(map(str, experimental)), " or ".join(map(str, control))
        comparison = f" ({column}: {groups[0]} vs {groups[1]})"
    return f"the differential expression analysis {analysis_id}{comparison}"


def clustered(params: ClusteringParameters, scaled: pd.DataFrame) -> Plotted:
    """Rows (and samples) clustered, and the row tree cut into clusters."""
    if params.clusters > len(scaled):
        raise too_many_clusters(params.clusters, len(scaled))
    matrix = scaled.to_numpy(dtype=float)
    row_tree = hierarchy.cluster(matrix, params.distance, params.linkage, "distance")
    column_tree = (
        hierarchy.cluster(matrix.T, params.distance, params.linkage, "distance")
        if params.cluster_samples
        else None
    )
    return Plotted(scaled, row_tree, column_tree, hierarchy.cut(row_tree, params.clusters))


def feature_label(counts: pd.DataFrame) -> str:
    """``peak_id`` when the assay's features are peaks, else ``Gene_Symbol``."""
    return PEAK_ID if counts.index.name == PEAK_ID else GENE_SYMBOL


def results_table(plotted: Plotted, label: str) -> pd.DataFrame:
    """One row per feature, top to bottom; one column per sample, left to right."""
    order = plotted.row_tree.order
    samples = plotted.sample_order
    table = plotted.values.iloc[order].loc[:, samples].reset_index(drop=True)
    table.insert(0, label, [str(f) for f in plotted.values.index[order]])
    table["Row_Order"] = np.arange(1, len(order) + 1, dtype=np.int64)
    table["Cluster"] = plotted.clusters[order]
    return clean_table(table, [label, *samples, *FIXED_COLUMNS])


def display_settings(
    params: ClusteringParameters, plotted: Plotted, label: str, samples: pd.DataFrame
) -> dict[str, Any]:
    """What the heatmap figure needs beside the table."""
    scale: ColourScale = "sequential" if params.row_scaling == "none" else "diverging"
    column_tree = plotted.column_tree
    return heatmap_settings(
        label_column=label,
        value_columns=plotted.sample_order,
        row_heights=list(plotted.row_tree.neighbour_heights),
        column_heights=list(column_tree.neighbour_heights) if column_tree else None,
        value_label=SCALED_LABELS[params.row_scaling].format(VALUE_LABELS[params.values]),
        colour_scale=scale,
        tracks=sample_tracks(samples, params.annotation_columns),
    )


def cluster_sizes(plotted: Plotted) -> list[int]:
    """Rows per cluster, cluster 1 first."""
    return [int(n) for n in np.bincount(plotted.clusters)[1:]]


def summary(
    params: ClusteringParameters, selection: select.Selection, plotted: Plotted
) -> dict[str, Any]:
    """The numbers a person reads first."""
    return {
        "rows": len(plotted.values),
        "samples": plotted.values.shape[1],
        "clusters": params.clusters,
        "cluster_sizes": cluster_sizes(plotted),
        "rows_without_variation": len(selection.without_variation),
        **selection.summary,
    }


def methods_text(
    params: ClusteringParameters, values: Values, selection: select.Selection, plotted: Plotted
) -> str:
    """One paragraph saying exactly what ran."""
    return " ".join(
        part
        for part in (
            f"Values were {values.transform}, {SCALING_WORDS[params.row_scaling]}.",
            selection.sentence,
            dropped_sentence(selection.without_variation),
            clustering_sentence(params, plotted),
            cut_sentence(params, plotted),
        )
        if part
    )


def dropped_sentence(without_variation: Sequence[str]) -> str:
    """Rows left out because they do not vary (no pattern to cluster, no z-score)."""
    if not without_variation:
        return ""
    listed = ", ".join(without_variation[: select.SHOWN_GENES])
    more = " ..." if len(without_variation) > select.SHOWN_GENES else ""
    return (
        f"{plural(len(without_variation), 'feature')} with the same value in every sample "
        f"{'was' if len(without_variation) == 1 else 'were'} left out ({listed}{more})."
    )


def clustering_sentence(params: ClusteringParameters, plotted: Plotted) -> str:
    """How rows and samples were clustered and ordered."""
    what = "Rows and samples were" if params.cluster_samples else "Rows were"
    samples = "" if params.cluster_samples else " Samples are in sample table order."
    return (
        f"{what} clustered hierarchically with SciPy ({cited('scipy', 'numpy', 'pandas')}) "
        f"on the {plural(plotted.values.shape[0], 'row')} and "
        f"{plural(plotted.values.shape[1], 'sample')} shown, using "
        f"{DISTANCE_WORDS[params.distance]} and {params.linkage} linkage (R hclust method "
        f'"{hierarchy.R_METHODS[params.linkage]}"); branches are ordered as R\'s hclust '
        f"orders them.{samples}"
    )


def cut_sentence(params: ClusteringParameters, plotted: Plotted) -> str:
    """How the clusters were made and how big they are."""
    sizes = ", ".join(f"{n}: {size}" for n, size in enumerate(cluster_sizes(plotted), start=1))
    return (
        f"The row tree was cut into {plural(params.clusters, 'cluster')} (as R's cutree with "
        f"k = {params.clusters}), numbered from the top of the heatmap (rows per cluster: "
        f"{sizes})."
    )


KIND = Kind(
    analysis_type="clustering",
    title="Clustering heatmap",
    summary="A heatmap of the most variable, differentially expressed or chosen genes, with "
    "genes and samples clustered hierarchically.",
    parameters=ClusteringParameters,
    check=check,
    run=run,
    columns=(GENE_SYMBOL, *FIXED_COLUMNS),
    sample_columns=True,
    displays=(HEATMAP,),
    aliases=("heatmap", "hclust"),
    libraries=("pydeseq2.dds",),
)
