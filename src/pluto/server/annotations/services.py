"""Rules of annotation sets: find, create from an uploaded table, rename and recolour.

Anyone who may see the experiment may read its sets; editors create and change them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.annotations.models import (
    AnnotationSet,
    AnnotationSource,
    CellAnnotation,
    Cluster,
)
from pluto.server.annotations.palette import colour_of
from pluto.server.errors import InvalidInput, NotFound
from pluto.server.history.services import record
from pluto.server.lab import ids
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.schemas import iso
from pluto.server.lab.services import MAX_NAME, clean_name, reject_unknown_fields, require
from pluto.server.sets.csv_upload import read_rows

CELL_COLUMN = "cell_id"
CLUSTER_COLUMNS = ("cluster", "cluster_number")
NAME_COLUMNS = ("cluster_name", "display_name")
MAX_CELL_ID = 200
MAX_CLUSTERS = 1000
MAX_NUMBER = 1_000_000
MAX_RESOLUTION = 1000.0
DEFAULT_RESOLUTION = 1.0
WHOLE = re.compile(r"[0-9]+(\.0*)?")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
BATCH = 5000


def sets_of(experiment: Experiment) -> QuerySet[AnnotationSet]:
    """The experiment's sets, oldest first, with their clusters."""
    return AnnotationSet.objects.filter(experiment=experiment).prefetch_related("clusters")


def find_set(experiment: Experiment, raw_id: str) -> AnnotationSet:
    """One set of the experiment by its UUID; 404 when it has none such."""
    set_uuid = ids.parse_uuid(raw_id, "annotation set")
    found = sets_of(experiment).filter(uuid=set_uuid).first()
    if found is None:
        raise NotFound(f"Annotation set {raw_id} was not found in this experiment.")
    return found


def find_cluster(annotation_set: AnnotationSet, raw_id: str) -> Cluster:
    """A cluster of the set by its UUID or its number."""
    clusters = Cluster.objects.filter(annotation_set=annotation_set)
    text = str(raw_id).strip()
    if text.isdigit():
        found = clusters.filter(number=int(text)).first()
    else:
        found = clusters.filter(uuid=ids.parse_uuid(text, "cluster")).first()
    if found is None:
        raise NotFound(f"Cluster {raw_id} was not found in this annotation set.")
    return found


def clean_resolution(value: Any) -> float:
    """A positive number (text from a form or a JSON number)."""
    problem = InvalidInput(
        f"'resolution' must be a number above 0 and at most {MAX_RESOLUTION:g} (got {value!r}).",
        details={"field": "resolution"},
    )
    if value is None or value == "":
        return DEFAULT_RESOLUTION
    if isinstance(value, bool):
        raise problem
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise problem from exc
    if not 0 < number <= MAX_RESOLUTION:
        raise problem
    return number


def clean_colour(value: Any) -> str:
    """A ``#rrggbb`` colour, stored in lower case."""
    if not isinstance(value, str) or not COLOUR.fullmatch(value.strip()):
        raise InvalidInput(
            f"'color' must be a colour written #rrggbb, e.g. #1f77b4 (got {value!r}).",
            details={"field": "color"},
        )
    return value.strip().lower()


def column_named(header: list[str], names: tuple[str, ...]) -> str | None:
    """The header's column with one of ``names`` (case and spaces ignored), if any."""
    wanted = {name.lower() for name in names}
    return next((column for column in header if column.strip().lower() in wanted), None)


def required_column(header: list[str], names: tuple[str, ...]) -> str:
    """The column, or ``400`` naming it and what the header holds."""
    found = column_named(header, names)
    if found is None:
        shown = ", ".join(header) or "none"
        wanted = " or ".join(f"'{name}'" for name in names)
        raise InvalidInput(
            f"The table needs a {wanted} column (its header has: {shown}).",
            details={"column": names[0], "row": 1},
        )
    return found


def cell_problem(row: int, column: str, message: str) -> InvalidInput:
    """``400`` naming the row and column of a bad cell."""
    return InvalidInput(
        f"Row {row}, column '{column}': {message}", details={"row": row, "column": column}
    )


@dataclass
class Assignments:
    """What an uploaded table says: each cell's cluster and the clusters' names."""

    cells: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def add(self, row: int, cell_id: str, number: int) -> None:
        """One cell; a cell named twice is an error naming both rows."""
        if cell_id in self.cells:
            first = self.rows[cell_id]
            raise cell_problem(
                row, CELL_COLUMN, f"cell {cell_id!r} is already assigned in row {first}."
            )
        self.cells[cell_id] = number
        self.rows[cell_id] = row

    def name(self, row: int, column: str, number: int, name: str) -> None:
        """A cluster's display name; every row of one cluster must give the same one."""
        if not name:
            return
        if len(name) > MAX_NAME:
            raise cell_problem(row, column, f"a name may be at most {MAX_NAME} characters.")
        known = self.names.setdefault(number, name)
        if known != name:
            raise cell_problem(
                row, column, f"cluster {number} is already named {known!r}, not {name!r}."
            )


def cluster_number(row: int, column: str, value: str) -> int:
    """A cluster number: a whole number, 0 or more."""
    if not WHOLE.fullmatch(value):
        raise cell_problem(
            row, column, f"a cluster must be a whole number, 0 or more (got {value[:40]!r})."
        )
    number = int(value.split(".")[0])
    if number > MAX_NUMBER:
        raise cell_problem(row, column, f"a cluster number may be at most {MAX_NUMBER:,}.")
    return number


def assignments_of(data: bytes) -> Assignments:
    """Read and check an uploaded table of ``cell_id`` and ``cluster`` columns."""
    header, rows = read_rows(data)
    cell_column = required_column(header, (CELL_COLUMN,))
    number_column = required_column(header, CLUSTER_COLUMNS)
    name_column = column_named(header, NAME_COLUMNS)
    found = Assignments()
    for row, values in rows:
        cell_id = values[cell_column]
        if not cell_id:
            raise cell_problem(row, cell_column, "the cell id is empty.")
        if len(cell_id) > MAX_CELL_ID:
            raise cell_problem(
                row, cell_column, f"a cell id may be at most {MAX_CELL_ID} characters."
            )
        number = cluster_number(row, number_column, values[number_column])
        found.add(row, cell_id, number)
        if name_column is not None:
            found.name(row, name_column, number, values[name_column])
    check_size(found)
    return found


def check_size(found: Assignments) -> None:
    """At least one cell, at most ``MAX_CLUSTERS`` clusters."""
    if not found.cells:
        raise InvalidInput("The table has no cells: add rows under the header.", details={"row": 2})
    clusters = len(set(found.cells.values()))
    if clusters > MAX_CLUSTERS:
        raise InvalidInput(
            f"The table has {clusters} clusters; a set holds at most {MAX_CLUSTERS}.",
            details={"column": "cluster"},
        )


def set_fields(params: Mapping[str, Any], filename: str) -> tuple[str, float]:
    """The display name (default: from the resolution) and the resolution."""
    resolution = clean_resolution(params.get("resolution"))
    raw_name = params.get("display_name")
    if raw_name is None or (isinstance(raw_name, str) and not raw_name.strip()):
        return f"Clusters at resolution {resolution:g}", resolution
    return clean_name(raw_name, "display_name"), resolution


def create_from_table(
    user: User,
    experiment: Experiment,
    role: str | None,
    data: bytes,
    params: Mapping[str, Any],
    filename: str = "",
) -> AnnotationSet:
    """A new set from an uploaded table of cells and their cluster numbers."""
    require(role, EDITOR, "add annotation sets")
    display_name, resolution = set_fields(params, filename)
    found = assignments_of(data)
    with transaction.atomic():
        created = AnnotationSet.objects.create(
            experiment=experiment,
            display_name=display_name,
            resolution=resolution,
            source=AnnotationSource.UPLOAD,
            source_filename=filename[:255],
            cell_count=len(found.cells),
            created_by=user,
        )
        store_assignments(created, found)
        record(
            experiment,
            user,
            "annotation_set_created",
            f"Added the annotation set {display_name} ({len(found.cells)} cells).",
            annotation_set=str(created.uuid),
            cells=len(found.cells),
        )
    return find_set(experiment, str(created.uuid))


def store_assignments(created: AnnotationSet, found: Assignments) -> None:
    """The set's clusters (palette colours, names from the table or ``Cluster n``) and cells."""
    counts: dict[int, int] = {}
    for number in found.cells.values():
        counts[number] = counts.get(number, 0) + 1
    Cluster.objects.bulk_create(
        Cluster(
            annotation_set=created,
            number=number,
            display_name=found.names.get(number, f"Cluster {number}"),
            color=colour_of(position),
            cell_count=counts[number],
        )
        for position, number in enumerate(sorted(counts))
    )
    CellAnnotation.objects.bulk_create(
        (
            CellAnnotation(annotation_set=created, cell_id=cell_id, cluster_number=number)
            for cell_id, number in found.cells.items()
        ),
        batch_size=BATCH,
    )


def update_cluster(
    user: User, role: str | None, cluster: Cluster, body: Mapping[str, Any]
) -> Cluster:
    """Change a cluster's ``display_name`` and/or ``color``."""
    require(role, EDITOR, "change clusters")
    reject_unknown_fields(dict(body), {"display_name", "color"})
    if "display_name" in body:
        cluster.display_name = clean_name(body["display_name"], "display_name")
    if "color" in body:
        cluster.color = clean_colour(body["color"])
    cluster.save(update_fields=["display_name", "color"])
    annotation_set = cluster.annotation_set
    record(
        annotation_set.experiment_id,
        user,
        "annotation_cluster_changed",
        f"Changed cluster {cluster.number} of {annotation_set.display_name}: "
        f"{cluster.display_name}, {cluster.color}.",
        annotation_set=str(annotation_set.uuid),
        cluster=cluster.number,
    )
    return cluster


def update_set(
    user: User, role: str | None, annotation_set: AnnotationSet, body: Mapping[str, Any]
) -> AnnotationSet:
    """Change a set's ``display_name``."""
    require(role, EDITOR, "change annotation sets")
    reject_unknown_fields(dict(body), {"display_name"})
    if "display_name" in body:
        annotation_set.display_name = clean_name(body["display_name"], "display_name")
        annotation_set.save(update_fields=["display_name", "updated_at"])
    return annotation_set


def delete_set(user: User, role: str | None, annotation_set: AnnotationSet) -> None:
    """Remove a set, its clusters and its cells."""
    require(role, EDITOR, "delete annotation sets")
    with transaction.atomic():
        record(
            annotation_set.experiment_id,
            user,
            "annotation_set_deleted",
            f"Deleted the annotation set {annotation_set.display_name}.",
            annotation_set=str(annotation_set.uuid),
        )
        annotation_set.delete()


def cells_of(annotation_set: AnnotationSet) -> QuerySet[CellAnnotation]:
    """The set's cells in the order they were uploaded."""
    return CellAnnotation.objects.filter(annotation_set=annotation_set).order_by("id")


def cluster_json(cluster: Cluster) -> dict[str, Any]:
    """``{uuid, number, display_name, color, cell_count}``."""
    return {
        "uuid": str(cluster.uuid),
        "number": cluster.number,
        "display_name": cluster.display_name,
        "color": cluster.color,
        "cell_count": cluster.cell_count,
    }


def set_json(annotation_set: AnnotationSet) -> dict[str, Any]:
    """The set shape of API.md, with its clusters by number."""
    clusters = sorted(annotation_set.clusters.all(), key=lambda cluster: cluster.number)
    return {
        "uuid": str(annotation_set.uuid),
        "display_name": annotation_set.display_name,
        "resolution": annotation_set.resolution,
        "clusters": [cluster_json(cluster) for cluster in clusters],
        "source": annotation_set.source,
        "cell_count": annotation_set.cell_count,
        "created_at": iso(annotation_set.created_at),
        "updated_at": iso(annotation_set.updated_at),
    }
