"""The demo experiments' analyses: on PLX140206 differential expression (the help page's
plot) and one finished analysis of each kind that fits an RNA-seq experiment; the peaks and
the survival experiments get theirs through :func:`run_analyses`.

They run right here, in the ``pluto demo`` process, through the same code a worker runs, so
the demo is complete as soon as the command returns. A parameter written ``"{DE}"`` is the
demo differential expression's id.
"""

from __future__ import annotations

import uuid
from typing import Any

from pluto.server.accounts.models import User
from pluto.server.analyses import execution, queue, services
from pluto.server.analyses.compute.gene_sets import GeneSetCollection, format_gmt
from pluto.server.analyses.models import Analysis, Plot
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import OWNER

DEMO_DE_PLOT = uuid.UUID("386b3bbf-fc86-4071-88c2-6340634cdc62")
DEMO_COLLECTION = "demo_pathways"
DemoRequests = list[tuple[uuid.UUID | None, dict[str, Any]]]
DEMO_ANALYSES: DemoRequests = [
    (
        DEMO_DE_PLOT,
        {
            "analysis_type": "differential_expression",
            "name": "Treated vs control",
            "parameters": {
                "group_column": "condition",
                "experimental_values": ["treated"],
                "control_values": ["control"],
            },
        },
    ),
    (
        None,
        {
            "analysis_type": "principal_components",
            "name": "PCA by condition",
            "parameters": {"group_column": "condition"},
        },
    ),
    (
        None,
        {"analysis_type": "assay_summary", "name": "Library sizes and counts", "parameters": {}},
    ),
    (
        None,
        {
            "analysis_type": "clustering",
            "name": "Heatmap of the changed genes",
            "parameters": {
                "feature_selection": "differential_expression",
                "differential_expression_id": "{DE}",
                "annotation_columns": ["condition", "sex"],
            },
        },
    ),
    (
        None,
        {
            "analysis_type": "sample_correlation",
            "name": "Sample correlation",
            "parameters": {"annotation_columns": ["condition", "batch"]},
        },
    ),
    (
        None,
        {
            "analysis_type": "tsne",
            "name": "t-SNE by condition",
            "parameters": {"group_column": "condition"},
        },
    ),
    (
        None,
        {
            "analysis_type": "over_representation",
            "name": "Demo pathways among the changed genes",
            "parameters": {
                "differential_expression_id": "{DE}",
                "gene_set_collection": DEMO_COLLECTION,
            },
        },
    ),
]


def run_now(analysis: Analysis) -> None:
    """Run a queued analysis in this process, as a worker would (unless it is not pending)."""
    worker_id = f"pluto-demo:{uuid.uuid4().hex[:8]}"
    if queue.take(analysis.pk, worker_id):
        execution.execute(analysis.pk, worker_id)


def existing_demo_analysis(
    experiment: Experiment, plot_uuid: uuid.UUID | None, kind: str
) -> Analysis | None:
    """The demo's analysis of this kind (or with this plot), if an earlier run made it."""
    if plot_uuid is not None:
        plot = Plot.objects.select_related("analysis").filter(uuid=plot_uuid).first()
        return plot.analysis if plot is not None else None
    return Analysis.objects.filter(experiment=experiment, analysis_type=kind).first()


def run_demo_analyses(user: User, experiment: Experiment) -> None:
    """Create the demo's gene sets and the analyses of PLX140206."""
    ensure_demo_collection(user)
    run_analyses(user, experiment, DEMO_ANALYSES)


def run_analyses(user: User, experiment: Experiment, requests: DemoRequests) -> None:
    """Create the analyses that do not exist yet, and run those still waiting (an earlier
    ``pluto demo`` may have been stopped before it ran them)."""
    for plot_uuid, request in requests:
        if plot_uuid is not None and Plot.objects.filter(uuid=plot_uuid, analysis=None).exists():
            continue  # the id belongs to a plot that is not an analysis's; leave it be
        analysis = existing_demo_analysis(experiment, plot_uuid, str(request["analysis_type"]))
        if analysis is None:
            resolved = {**request, "parameters": with_ids(request["parameters"])}
            analysis = services.create_analysis(
                user, experiment, OWNER, resolved, plot_uuid=plot_uuid
            )
        run_now(analysis)


def with_ids(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters with ``"{DE}"`` replaced by the demo differential expression's id."""
    de = Plot.objects.filter(uuid=DEMO_DE_PLOT).values_list("analysis__uuid", flat=True).first()
    return {name: str(de) if value == "{DE}" else value for name, value in parameters.items()}


def demo_gene_sets(seed: int = 286) -> str:
    """A small GMT collection matching the demo's genes: sets rich in the genes the treatment
    raises or lowers, and sets drawn at random, so an enrichment analysis has something to find.
    """
    import numpy as np

    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    rng = np.random.default_rng(seed)
    changed = np.asarray(tables.changed_genes)
    up = changed[np.asarray(tables.changed_log2_fold_changes) > 0]
    down = changed[np.asarray(tables.changed_log2_fold_changes) < 0]
    genes = np.asarray(tables.counts.column("gene_symbol").to_pylist())
    sets: dict[str, tuple[str, list[str]]] = {}
    for index, (source, label) in enumerate([(up, "raised"), (down, "lowered")] * 3, start=1):
        members = np.concatenate(
            [rng.choice(source, 40, replace=False), rng.choice(genes, 20, replace=False)]
        )
        sets[f"DEMO_TREATMENT_{label.upper()}_{index}"] = (
            f"Genes the demo treatment {label}",
            [str(g) for g in members],
        )
    for index in range(1, 25):
        members = rng.choice(genes, int(rng.integers(20, 200)), replace=False)
        sets[f"DEMO_BACKGROUND_{index:02d}"] = ("Genes drawn at random", [str(g) for g in members])
    return format_gmt(GeneSetCollection.from_mapping(sets))


def ensure_demo_collection(user: User) -> None:
    """The demo's gene set collection, once."""
    from pluto.server.analyses.collections import create_collection
    from pluto.server.analyses.models import GeneSetCollection as StoredCollection

    if StoredCollection.objects.filter(shortname=DEMO_COLLECTION).exists():
        return
    create_collection(
        user,
        DEMO_COLLECTION,
        "Demo pathways",
        demo_gene_sets(),
        description="Gene sets made for the demo experiment PLX140206.",
        source="generated by pluto demo",
    )
