"""What an analysis builds on besides the experiment's tables: other completed analyses of the
experiment, and gene set collections. A missing one is an error naming the parameter."""

from __future__ import annotations

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import GeneSetCollection as GeneSets
from pluto.server.analyses.compute.gene_sets import parse_gmt
from pluto.server.analyses.models import Analysis, AnalysisStatus, GeneSetCollection
from pluto.server.errors import PlutoError
from pluto.server.lab import ids
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage


def completed_analysis(
    experiment: Experiment, raw_id: str, field: str, analysis_type: str | None
) -> Analysis:
    """A finished analysis of this experiment (of ``analysis_type`` when given)."""
    try:
        analysis_uuid = ids.parse_uuid(str(raw_id), "analysis")
    except PlutoError as error:
        raise AnalysisInputError(error.message, field) from error
    found = Analysis.objects.select_related("plot__results").filter(
        experiment=experiment, uuid=analysis_uuid
    )
    if analysis_type is not None:
        found = found.filter(analysis_type=analysis_type)
    analysis = found.first()
    if analysis is None or analysis.status != AnalysisStatus.COMPLETE:
        described = (analysis_type or "").replace("_", " ") or "such"
        raise AnalysisInputError(
            f"No completed {described} analysis {raw_id} in experiment "
            f"{experiment.pluto_id}; run one first and pass its id.",
            field,
        )
    return analysis


def collection_gene_sets(shortname: str, field: str) -> GeneSets:
    """The gene sets of the stored collection with this short name (or biomarker set)."""
    if str(shortname).startswith("biomarker_set:"):
        from pluto.server.sets.gene_sets import collection_of

        return collection_of(str(shortname), field)
    collection = collection_named(shortname, field)
    with get_storage().open(collection.storage_key) as handle:
        return parse_gmt(handle.read().decode("utf-8"))


def collection_named(shortname: str, field: str) -> GeneSetCollection:
    """The collection with this short name, or an error listing the known ones."""
    from pluto.server.analyses.collections import ensure_bundled

    ensure_bundled()
    collection = GeneSetCollection.objects.filter(shortname=str(shortname)).first()
    if collection is None:
        known = list(GeneSetCollection.objects.values_list("shortname", flat=True))
        raise AnalysisInputError(
            f"Unknown gene set collection {shortname!r}; known: {', '.join(known) or 'none'}.",
            field,
        )
    return collection
