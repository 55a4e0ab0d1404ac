"""Biomodel sets: reference tables whose rows follow a declared column schema.

A column is ``{name, type}`` with type ``text``, ``number``, ``boolean`` or ``date``
(``YYYY-MM-DD``). Rows are checked against the schema when added, one by one or from a CSV;
an error names the row and the column. A missing or empty value is null.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import InvalidInput
from pluto.server.lab.schemas import iso
from pluto.server.sets import access, csv_upload
from pluto.server.sets.fields import optional_text, required_text, search_term
from pluto.server.sets.models import Biomodel, BiomodelSet, ColumnType

NOUN = "biomodel set"
COLUMN_TYPES = tuple(ColumnType.values)
RESERVED = ("uuid",)
MAX_COLUMNS = 200
SAFE_INTEGER = 2**53  # whole numbers above this stay floats, as JSON readers hold them
TRUE_WORDS = ("true", "yes", "1", "t", "y")
FALSE_WORDS = ("false", "no", "0", "f", "n")


def sets_of(user: User) -> QuerySet[BiomodelSet]:
    """The caller's biomodel sets not archived, oldest first."""
    found = access.visible(user, BiomodelSet.objects.all()).filter(is_archived=False)
    return with_counts(found)


def with_counts(queryset: QuerySet[BiomodelSet]) -> QuerySet[BiomodelSet]:
    """The sets with their row counts, organizations and creators loaded."""
    return queryset.select_related("organization", "created_by").annotate(
        biomodel_count=Count("biomodels")
    )


def find_set(user: User, raw_id: str) -> BiomodelSet:
    """A biomodel set the caller can see (archived ones too)."""
    found: BiomodelSet = access.find(user, with_counts(BiomodelSet.objects.all()), raw_id, NOUN)
    return found


def clean_column(raw: Any, index: int, seen: set[str]) -> dict[str, str]:
    """One column of a schema: a new, non-reserved name and a known type."""
    where = f"schema_definition.columns.{index}"
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"'{where}' must be an object {{name, type}}.", details={"field": where})
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        raise InvalidInput(
            f"'{where}.name' is required: a text of 1 to 200 characters.",
            details={"field": f"{where}.name"},
        )
    name = name.strip()
    if name in seen or name in RESERVED:
        reason = "is reserved" if name in RESERVED else "appears twice"
        raise InvalidInput(f"Column name {name!r} {reason}.", details={"field": f"{where}.name"})
    kind = raw.get("type")
    if kind not in COLUMN_TYPES:
        raise InvalidInput(
            f"Column {name!r} has type {str(kind)[:40]!r}; use one of {', '.join(COLUMN_TYPES)}.",
            details={"field": f"{where}.type", "column": name},
        )
    seen.add(name)
    return {"name": name, "type": str(kind)}


def clean_schema(raw: Any) -> dict[str, list[dict[str, str]]]:
    """``{columns: [{name, type}, ...]}`` with at least one column."""
    columns = raw.get("columns") if isinstance(raw, Mapping) else None
    if not isinstance(columns, list) or not columns:
        raise InvalidInput(
            '\'schema_definition\' must be {"columns": [{"name": ..., "type": ...}]} '
            "with at least one column.",
            details={"field": "schema_definition.columns"},
        )
    if len(columns) > MAX_COLUMNS:
        raise InvalidInput(
            f"A biomodel set may have at most {MAX_COLUMNS} columns.",
            details={"field": "schema_definition.columns"},
        )
    seen: set[str] = set()
    return {"columns": [clean_column(c, i, seen) for i, c in enumerate(columns)]}


def create_set(user: User, body: Mapping[str, Any]) -> BiomodelSet:
    """A new biomodel set in the request's organization."""
    organization = access.organization_to_create_in(user, NOUN)
    created = BiomodelSet.objects.create(
        organization=organization,
        name=required_text(body, "name"),
        description=optional_text(body, "description"),
        schema_definition=clean_schema(body.get("schema_definition")),
        created_by=user,
    )
    return find_set(user, str(created.uuid))


def archive(user: User, found: BiomodelSet) -> BiomodelSet:
    """Archive the set (archiving twice changes nothing)."""
    access.check_role(user, found.organization, NOUN)
    if not found.is_archived:
        found.is_archived = True
        found.save(update_fields=["is_archived", "updated_at"])
    return find_set(user, str(found.uuid))


def columns_of(found: BiomodelSet) -> list[dict[str, str]]:
    """The set's columns, in order."""
    return list(found.schema_definition.get("columns", []))


def headers_of(found: BiomodelSet) -> list[str]:
    """The set's column names, in order."""
    return [column["name"] for column in columns_of(found)]


def wrong(column: str, kind: str, value: Any) -> InvalidInput:
    """The error for a value that is not of its column's type."""
    return InvalidInput(
        f"Column {column!r} takes a {kind} (got {str(value)[:40]!r}).",
        details={"column": column},
    )


def number_value(column: str, value: Any) -> float | int:
    """A finite number, from JSON or from CSV text."""
    if isinstance(value, bool):
        raise wrong(column, "number", value)
    if isinstance(value, int | float):
        number: float | int = value
    else:
        try:
            number = float(str(value))
        except ValueError:
            raise wrong(column, "number", value) from None
        whole = number.is_integer() and abs(number) < SAFE_INTEGER and "." not in str(value)
        number = int(number) if whole else number
    if isinstance(number, float) and not math.isfinite(number):
        raise wrong(column, "finite number", value)
    return number


def boolean_value(column: str, value: Any) -> bool:
    """True or false, from JSON or from CSV words (true/false, yes/no, 1/0)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if isinstance(value, str) and word in TRUE_WORDS + FALSE_WORDS:
        return word in TRUE_WORDS
    raise wrong(column, "boolean (true or false)", value)


def date_value(column: str, value: Any) -> str:
    """A calendar date as ``YYYY-MM-DD``."""
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise wrong(column, "date (YYYY-MM-DD)", value) from None


def cell_value(column: str, kind: str, value: Any) -> Any:
    """``value`` as its column's type; None for a missing or empty one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == ColumnType.NUMBER:
        return number_value(column, value)
    if kind == ColumnType.BOOLEAN:
        return boolean_value(column, value)
    if kind == ColumnType.DATE:
        return date_value(column, value)
    if not isinstance(value, str):
        raise wrong(column, "text", value)
    return value.strip()


def clean_row(found: BiomodelSet, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values by column, checked against the schema; unknown columns are refused."""
    types = {column["name"]: column["type"] for column in columns_of(found)}
    unknown = [name for name in row if name not in types]
    if unknown:
        raise InvalidInput(
            f"Column {unknown[0]!r} is not in this set's schema (its columns: {', '.join(types)}).",
            details={"column": unknown[0]},
        )
    return {name: cell_value(name, kind, row.get(name)) for name, kind in types.items()}


def searchable(values: Mapping[str, Any]) -> str:
    """The text a ``search`` looks in: every value, lower-cased."""
    return " ".join(str(v) for v in values.values() if v is not None).lower()


def new_row(found: BiomodelSet, values: dict[str, Any]) -> Biomodel:
    """An unsaved row of the set."""
    return Biomodel(biomodel_set=found, values=values, search_text=searchable(values))


def add_row(user: User, found: BiomodelSet, body: Mapping[str, Any]) -> Biomodel:
    """Add one row, given as ``{column: value}``."""
    access.check_writable(user, found, NOUN)
    row = new_row(found, clean_row(found, body))
    row.save()
    return row


def upload_csv(user: User, found: BiomodelSet, data: bytes) -> dict[str, int]:
    """Add every row of the CSV, or none when one is wrong (the error names row and column)."""
    access.check_writable(user, found, NOUN)
    _, rows = csv_upload.read_rows(data)
    new = []
    for row_number, row in rows:
        try:
            new.append(new_row(found, clean_row(found, row)))
        except InvalidInput as error:
            column = error.details.get("column")
            raise InvalidInput(
                f"Row {row_number}, column {column!r}: {error.message}",
                details={"row": row_number, "column": column},
            ) from error
    with transaction.atomic():
        Biomodel.objects.bulk_create(new)
    return {"added": len(new), "count": found.biomodels.count()}


def rows_of(found: BiomodelSet, params: Mapping[str, Any]) -> QuerySet[Biomodel]:
    """The set's rows in the order they were added, matching ``search`` in any value."""
    rows = found.biomodels.all()
    term = search_term(params).lower()
    if term:
        rows = rows.filter(search_text__contains=term)
    return rows


def row_json(found: BiomodelSet, row: Biomodel) -> dict[str, Any]:
    """A row as an object by column, with its ``uuid``."""
    return {"uuid": str(row.uuid), **{name: row.values.get(name) for name in headers_of(found)}}


def set_json(found: BiomodelSet) -> dict[str, Any]:
    """The API shape of a biomodel set."""
    counted = getattr(found, "biomodel_count", None)
    return {
        "uuid": str(found.uuid),
        "name": found.name,
        "description": found.description,
        "schema_definition": {"columns": columns_of(found)},
        "is_archived": found.is_archived,
        "organization": str(found.organization.uuid),
        "biomodel_count": int(counted) if counted is not None else found.biomodels.count(),
        "created_by": found.created_by.email,
        "created_at": iso(found.created_at),
        "updated_at": iso(found.updated_at),
    }
