"""The demo experiment's analyses: differential expression (the help page's plot) and a PCA.

They run right here, in the ``pluto demo`` process, through the same code a worker runs, so
the demo is complete as soon as the command returns.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from pluto.server.accounts.models import User
from pluto.server.analyses import execution, queue, services
from pluto.server.analyses.models import Analysis, Plot
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import OWNER

DEMO_DE_PLOT = uuid.UUID("386b3bbf-fc86-4071-88c2-6340634cdc62")
DEMO_ANALYSES = [
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
    """Create the demo's gene sets and the analyses that do not exist yet, and run those still
    waiting (an earlier ``pluto demo`` may have been stopped before it ran them)."""
    ensure_demo_collection(user)
    for plot_uuid, request in DEMO_ANALYSES:
        if plot_uuid is not None and Plot.objects.filter(uuid=plot_uuid, analysis=None).exists():
            continue  # the id belongs to a plot that is not an analysis's; leave it be
        analysis = existing_demo_analysis(experiment, plot_uuid, str(request["analysis_type"]))
        if analysis is None:
            analysis = services.create_analysis(
                user, experiment, OWNER, dict(request), plot_uuid=plot_uuid
            )
        run_now(analysis)


DEMO_COLLECTION = "demo_pathways"


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
    lines = []
    for index, (source, label) in enumerate([(up, "raised"), (down, "lowered")] * 3, start=1):
        members = np.concatenate(
            [rng.choice(source, 40, replace=False), rng.choice(genes, 20, replace=False)]
        )
        lines.append(
            gmt_line(
                f"DEMO_TREATMENT_{label.upper()}_{index}",
                f"Genes the demo treatment {label}",
                members,
            )
        )
    for index in range(1, 25):
        size = int(rng.integers(20, 200))
        lines.append(
            gmt_line(
                f"DEMO_BACKGROUND_{index:02d}",
                "Genes drawn at random",
                rng.choice(genes, size, replace=False),
            )
        )
    return "\n".join(lines) + "\n"


def gmt_line(name: str, description: str, members: Iterable[object]) -> str:
    """One GMT line, genes unique and in order."""
    unique = dict.fromkeys(str(g) for g in members)
    return "\t".join([name, description, *unique])


def ensure_demo_collection(user: User) -> None:
    """The demo's gene set collection, once."""
    from pluto.server.analyses.collections import create_collection
    from pluto.server.analyses.models import GeneSetCollection

    if GeneSetCollection.objects.filter(shortname=DEMO_COLLECTION).exists():
        return
    create_collection(
        user,
        DEMO_COLLECTION,
        "Demo pathways",
        demo_gene_sets(),
        description="Gene sets made for the demo experiment PLX140206.",
        source="generated by pluto demo",
    )
