"""The SDK's methods for biomarker and biomodel sets."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pluto.client import downloads
from pluto.client.base import ClientBase
from pluto.client.http import path_part

BIOMARKER_SETS = "biomarker-sets/"
BIOMODEL_SETS = "biomodel-sets/"
CsvSource = str | os.PathLike[str] | bytes


def csv_bytes(source: CsvSource) -> bytes:
    """A CSV's bytes: given as bytes, or read from a file path."""
    return source if isinstance(source, bytes) else Path(source).read_bytes()


class SetMethods(ClientBase):
    """:class:`pluto.Client` methods for biomarker and biomodel sets."""

    # Biomarker sets.

    def list_biomarker_sets(self, search: str | None = None) -> list[dict[str, Any]]:
        """Every biomarker set of your organizations (or the client's ``organization``)."""
        return self.list_items(BIOMARKER_SETS, search=search)

    def get_biomarker_set(self, biomarker_set: str) -> dict[str, Any]:
        """One biomarker set by uuid."""
        answer: dict[str, Any] = self.get(f"{BIOMARKER_SETS}{path_part(biomarker_set)}/")
        return answer

    def create_biomarker_set(
        self,
        name: str,
        target_type: str = "gene",
        organism_shortname: str = "",
        description: str = "",
        set_type: str = "",
    ) -> dict[str, Any]:
        """A new biomarker set (``target_type``: gene, protein, metabolite or other)."""
        body = {
            "name": name,
            "target_type": target_type,
            "organism_shortname": organism_shortname,
            "description": description,
            "set_type": set_type,
        }
        answer: dict[str, Any] = self.send("POST", BIOMARKER_SETS, body)
        return answer

    def archive_biomarker_set(self, biomarker_set: str) -> dict[str, Any]:
        """Archive a biomarker set; it leaves the list but stays readable by uuid."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/archive/"
        answer: dict[str, Any] = self.send("POST", path, [])
        return answer

    def update_biomarker_set(self, biomarker_set: str, **changes: Any) -> dict[str, Any]:
        """Change ``name``, ``description`` or ``is_archived`` (False restores it)."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/"
        answer: dict[str, Any] = self.send("PATCH", path, changes)
        return answer

    def remove_biomarker(self, biomarker_set: str, biomarker: str) -> None:
        """Take one biomarker (its uuid) out of a set."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/biomarkers/{path_part(biomarker)}/"
        self.send("DELETE", path)

    def list_biomarkers(
        self, biomarker_set: str, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Every biomarker of a set, in the order they were added."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/biomarkers/"
        return self.list_items(path, search=search)

    def add_biomarker(self, biomarker_set: str, name: str, **fields: str) -> dict[str, Any]:
        """Add one biomarker (``target_shortname``, ``description`` optional)."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/biomarkers/"
        answer: dict[str, Any] = self.send("POST", path, {"name": name, **fields})
        return answer

    def add_biomarkers(self, biomarker_set: str, names: Iterable[str]) -> dict[str, int]:
        """Add many biomarkers at once (names already in the set are skipped)."""
        lines = ["name", *(f'"{n.replace(chr(34), chr(34) * 2)}"' for n in names)]
        return self.upload_biomarker_csv(biomarker_set, ("\n".join(lines) + "\n").encode())

    def upload_biomarker_csv(self, biomarker_set: str, source: CsvSource) -> dict[str, int]:
        """Add the rows of a CSV with a ``name`` column: ``{added, skipped, count}``."""
        path = f"{BIOMARKER_SETS}{path_part(biomarker_set)}/upload-csv/"
        answer: dict[str, int] = self.transport.call_json(
            "POST", path, data=csv_bytes(source), headers={"Content-Type": "text/csv"}
        )
        return answer

    def download_biomarker_set(
        self, biomarker_set: str, path: str | os.PathLike[str] | None = None
    ) -> Path:
        """Save the set as CSV; its local path."""
        link = self.get(f"{BIOMARKER_SETS}{path_part(biomarker_set)}/download/")
        target = Path(path) if path is not None else None
        return downloads.download(
            self.transport,
            link["url"],
            target,
            fallback_name=f"{biomarker_set}.csv",
            progress=False,
        )

    # Biomodel sets.

    def list_biomodel_sets(self) -> list[dict[str, Any]]:
        """Every biomodel set of your organizations."""
        answer: list[dict[str, Any]] = self.get(BIOMODEL_SETS)
        return answer

    def get_biomodel_set(self, biomodel_set: str) -> dict[str, Any]:
        """One biomodel set by uuid."""
        answer: dict[str, Any] = self.get(f"{BIOMODEL_SETS}{path_part(biomodel_set)}/")
        return answer

    def create_biomodel_set(
        self, name: str, columns: Iterable[tuple[str, str]], description: str = ""
    ) -> dict[str, Any]:
        """A new biomodel set; ``columns`` are ``(name, type)`` with type text, number,
        boolean or date."""
        schema = {"columns": [{"name": n, "type": t} for n, t in columns]}
        body = {"name": name, "description": description, "schema_definition": schema}
        answer: dict[str, Any] = self.send("POST", BIOMODEL_SETS, body)
        return answer

    def archive_biomodel_set(self, biomodel_set: str) -> dict[str, Any]:
        """Archive a biomodel set."""
        answer: dict[str, Any] = self.get(f"{BIOMODEL_SETS}{path_part(biomodel_set)}/archive/")
        return answer

    def biomodel_columns(self, biomodel_set: str) -> list[dict[str, str]]:
        """The set's columns: ``[{name, type}]``."""
        answer: list[dict[str, str]] = self.get(
            f"{BIOMODEL_SETS}{path_part(biomodel_set)}/columns/"
        )
        return answer

    def list_biomodels(self, biomodel_set: str, search: str | None = None) -> list[dict[str, Any]]:
        """Every row of a biomodel set, as objects by column."""
        return self.list_items(
            f"{BIOMODEL_SETS}{path_part(biomodel_set)}/biomodels/", search=search
        )

    def add_biomodel(self, biomodel_set: str, values: dict[str, Any]) -> dict[str, Any]:
        """Add one row, ``{column: value}``, checked against the set's schema."""
        path = f"{BIOMODEL_SETS}{path_part(biomodel_set)}/biomodels/"
        answer: dict[str, Any] = self.send("POST", path, values)
        return answer

    def upload_biomodel_csv(self, biomodel_set: str, source: CsvSource) -> dict[str, int]:
        """Add the rows of a CSV whose header names the set's columns."""
        path = f"{BIOMODEL_SETS}{path_part(biomodel_set)}/upload-csv/"
        answer: dict[str, int] = self.transport.call_json(
            "POST", path, data=csv_bytes(source), headers={"Content-Type": "text/csv"}
        )
        return answer
