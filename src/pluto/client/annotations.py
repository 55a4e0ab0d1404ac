"""The SDK's methods for annotation sets of single-cell experiments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pluto.client.base import ClientBase
from pluto.client.http import path_part

CELLS_PAGE_SIZE = 100_000
TableSource = str | os.PathLike[str] | bytes


def sets_path(experiment: str, annotation_set: str | None = None) -> str:
    """``experiments/<exp>/annotation-sets/[<set>/]``."""
    base = f"experiments/{path_part(experiment)}/annotation-sets/"
    return base if annotation_set is None else f"{base}{path_part(annotation_set)}/"


class AnnotationSetMethods(ClientBase):
    """:class:`pluto.Client` methods for annotation sets of single-cell experiments."""

    def list_annotation_sets(self, experiment: str) -> list[dict[str, Any]]:
        """Every annotation set of an experiment, each with its clusters."""
        answer: list[dict[str, Any]] = self.get(sets_path(experiment))
        return answer

    def get_annotation_set(self, experiment: str, annotation_set: str) -> dict[str, Any]:
        """One annotation set by uuid, with its clusters."""
        answer: dict[str, Any] = self.get(sets_path(experiment, annotation_set))
        return answer

    def list_annotations(self, experiment: str, annotation_set: str) -> list[dict[str, Any]]:
        """Every cell's ``{cell_id, cluster_number}``, in upload order."""
        path = sets_path(experiment, annotation_set) + "annotations/"
        cells: list[dict[str, Any]] = []
        while True:
            page = self.get(path, offset=len(cells), limit=CELLS_PAGE_SIZE)
            batch = page.get("items") or []
            cells.extend(batch)
            if not batch or len(cells) >= int(page.get("count") or 0):
                return cells

    def create_annotation_set(
        self,
        experiment: str,
        table: TableSource,
        display_name: str | None = None,
        resolution: float | None = None,
    ) -> dict[str, Any]:
        """A new set from a CSV (a path or bytes) with ``cell_id`` and ``cluster`` columns."""
        data = table if isinstance(table, bytes) else Path(table).read_bytes()
        params: dict[str, Any] = {"display_name": display_name, "resolution": resolution}
        if not isinstance(table, bytes):
            params["filename"] = Path(table).name
        answer: dict[str, Any] = self.transport.call_json(
            "POST",
            sets_path(experiment),
            data=data,
            params={key: value for key, value in params.items() if value is not None},
            headers={"Content-Type": "text/csv"},
        )
        return answer

    def update_cluster(
        self,
        experiment: str,
        annotation_set: str,
        cluster: str | int,
        display_name: str | None = None,
        color: str | None = None,
    ) -> dict[str, Any]:
        """Rename and/or recolour (``#rrggbb``) a cluster, given by uuid or number."""
        body = {"display_name": display_name, "color": color}
        path = sets_path(experiment, annotation_set) + f"clusters/{path_part(cluster)}/"
        answer: dict[str, Any] = self.send(
            "PATCH", path, {key: value for key, value in body.items() if value is not None}
        )
        return answer

    def delete_annotation_set(self, experiment: str, annotation_set: str) -> None:
        """Delete a set with its clusters and cells."""
        self.send("DELETE", sets_path(experiment, annotation_set))
