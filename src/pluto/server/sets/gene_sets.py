"""Gene biomarker sets used by analyses as gene sets.

An analysis parameter names a biomarker set as ``biomarker_set:<uuid>``:

- as ``gene_set_collection`` (gene set enrichment, over-representation) the set is a
  collection of one gene set, named after the set;
- as ``genes`` (a clustering heatmap of chosen genes) the set's names are the gene list.

Whether the caller may use the set is checked when the analysis is created (the stored
``genes`` hold the names themselves, so a rerun shows the same genes); the worker then reads
the set by its uuid.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Count

from pluto.server.accounts.models import User
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.sets import access
from pluto.server.sets.models import BiomarkerSet, TargetType

PREFIX = "biomarker_set:"
GENE_LIST_FIELDS = ("genes",)


def names_a_set(value: Any) -> bool:
    """Whether a parameter value is ``biomarker_set:<uuid>``."""
    return isinstance(value, str) and value.strip().startswith(PREFIX)


def set_uuid(value: str) -> uuid.UUID | None:
    """The uuid after the prefix, or None when it is not one."""
    try:
        return uuid.UUID(value.strip()[len(PREFIX) :].strip())
    except ValueError:
        return None


def usable_set(found: BiomarkerSet | None, value: str) -> BiomarkerSet:
    """A gene biomarker set; the message says why another value is not one."""
    if found is None:
        raise ValueError(f"No biomarker set {value.strip()[len(PREFIX) :]!r} you can use.")
    if found.target_type != TargetType.GENE:
        raise ValueError(
            f"Biomarker set {found.name!r} holds {found.target_type}s; only gene sets can be used."
        )
    return found


def visible_set(user: User, value: str, field: str) -> BiomarkerSet:
    """The gene biomarker set the caller may use; ``400`` naming ``parameters.<field>``."""
    wanted = set_uuid(value)
    queryset = access.visible(user, BiomarkerSet.objects.all())
    found = queryset.filter(uuid=wanted).first() if wanted else None
    try:
        return usable_set(found, value)
    except ValueError as error:
        raise InvalidInput(str(error), details={"field": f"parameters.{field}"}) from error


def expanded(user: User, raw: Any) -> Any:
    """Analysis parameters with each biomarker set checked, and gene lists filled in."""
    if not isinstance(raw, Mapping):
        return raw
    parameters = dict(raw)
    for field, value in raw.items():
        if not names_a_set(value):
            continue
        found = visible_set(user, value, field)
        if field in GENE_LIST_FIELDS:
            parameters[field] = list(found.biomarkers.values_list("name", flat=True))
    return parameters


def collection_of(value: str, field: str) -> GeneSetCollection:
    """The biomarker set as a collection of one gene set; an analysis error naming ``field``."""
    wanted = set_uuid(value)
    found = BiomarkerSet.objects.filter(uuid=wanted).first() if wanted else None
    try:
        usable = usable_set(found, value)
    except ValueError as error:
        raise AnalysisInputError(str(error), field) from error
    genes = list(usable.biomarkers.values_list("name", flat=True))
    return GeneSetCollection.from_mapping({usable.name: (usable.description, genes)})


def biomarker_gene_set_options(experiment: Experiment) -> tuple[tuple[str, str], ...]:
    """The gene biomarker sets of the experiment's organization as ``(value, label)`` choices
    of an analysis form's gene set collection."""
    found = BiomarkerSet.objects.filter(
        organization_id=experiment.project.organization_id,
        target_type=TargetType.GENE,
        is_archived=False,
    ).annotate(size=Count("biomarkers"))
    return tuple((f"{PREFIX}{s.uuid}", f"{s.name} (biomarker set, {s.size} genes)") for s in found)
