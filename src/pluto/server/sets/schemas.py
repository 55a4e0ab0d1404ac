"""The JSON shapes of biomarker and biomodel sets (documented in the OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from pluto.server.lab.schemas import Body, Description, Name


class BiomarkerSetCreate(Schema):
    """A new biomarker set."""

    name: Name
    target_type: Literal["gene", "protein", "metabolite", "other"]
    # Optional texts may be null: the service reads null as empty.
    organism_shortname: str | None = Field(default="", max_length=100, examples=["human"])
    description: str | None = ""
    set_type: str | None = Field(default="", max_length=100)


class BiomarkerSetPatch(Body):
    """What a PATCH of a biomarker set may change; each field may be left out."""

    name: Name | SkipJsonSchema[None] = None
    description: Description | None = None
    is_archived: bool | SkipJsonSchema[None] = None


class BiomarkerSetOut(Schema):
    """A biomarker set; ``gene_set_name`` names it as an analysis' gene set collection."""

    uuid: str
    name: str
    description: str
    target_type: str
    organism_shortname: str
    set_type: str
    is_archived: bool
    organization: str
    biomarker_count: int
    gene_set_name: str
    created_by: str
    created_at: str
    updated_at: str


class BiomarkerSetPage(Schema):
    count: int
    items: list[BiomarkerSetOut]


class BiomarkerCreate(Schema):
    """One biomarker to add to a set."""

    name: Name = Field(examples=["TP53"])
    target_shortname: str | None = Field(default="", max_length=200)
    description: str | None = ""


class BiomarkerOut(Schema):
    uuid: str
    name: str
    target_shortname: str
    description: str
    created_at: str


class BiomarkerPage(Schema):
    count: int
    items: list[BiomarkerOut]


class BiomarkerCsvResult(Schema):
    """What a CSV upload did: rows added, rows already in the set, and the set's size."""

    added: int
    skipped: int
    count: int


class SetsSignedUrl(Schema):
    url: str


class BiomodelColumn(Schema):
    name: Name
    type: Literal["text", "number", "boolean", "date"]


class BiomodelSchemaDefinition(Schema):
    columns: list[BiomodelColumn] = Field(min_length=1)


class BiomodelSetCreate(Schema):
    """A new biomodel set: its name and the columns every row follows."""

    name: Name
    description: str | None = ""
    schema_definition: BiomodelSchemaDefinition


class BiomodelSetOut(Schema):
    uuid: str
    name: str
    description: str
    schema_definition: BiomodelSchemaDefinition
    is_archived: bool
    organization: str
    biomodel_count: int
    created_by: str
    created_at: str
    updated_at: str


class BiomodelPage(Schema):
    """Rows of a biomodel set: ``headers`` are its column names, rows are objects by column
    (with each row's ``uuid``)."""

    headers: list[str]
    count: int
    items: list[dict[str, Any]]


class BiomodelCsvResult(Schema):
    added: int
    count: int
