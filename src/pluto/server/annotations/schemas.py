"""The JSON shapes of annotation sets (names prefixed to stay unique in the API schema)."""

from __future__ import annotations

from ninja import Schema


class AnnotationClusterOut(Schema):
    uuid: str
    number: int
    display_name: str
    color: str
    cell_count: int


class AnnotationSetOut(Schema):
    """A clustering of the experiment's cells at one resolution."""

    uuid: str
    display_name: str
    resolution: float
    clusters: list[AnnotationClusterOut]
    source: str
    cell_count: int
    created_at: str
    updated_at: str


class AnnotationOut(Schema):
    cell_id: str
    cluster_number: int


class AnnotationPage(Schema):
    count: int
    items: list[AnnotationOut]


class AnnotationSetUpdate(Schema):
    display_name: str | None = None


class AnnotationClusterUpdate(Schema):
    """Either or both: a new name, a new ``#rrggbb`` colour."""

    display_name: str | None = None
    color: str | None = None
