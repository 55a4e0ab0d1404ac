"""Biomarker sets: creating, listing, adding biomarkers (one by one or from a CSV),
downloading as CSV, archiving, and reading a gene set as analyses use it."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, InvalidInput, NotFound
from pluto.server.lab import ids
from pluto.server.lab.schemas import iso
from pluto.server.lab.services import clean_bool, reject_unknown_fields
from pluto.server.sets import access, csv_upload
from pluto.server.sets.fields import choice, optional_text, required_text, search_term
from pluto.server.sets.models import Biomarker, BiomarkerSet, TargetType
from pluto.server.signed_urls import signed_download_url
from pluto.server.storage import get_storage

NOUN = "biomarker set"
TARGET_TYPES = tuple(TargetType.values)
CSV_COLUMNS = ("name", "target_shortname", "description")


def sets_of(user: User, params: Mapping[str, Any]) -> QuerySet[BiomarkerSet]:
    """The caller's sets not archived, matching ``search`` in name or description."""
    found = access.visible(user, BiomarkerSet.objects.all()).filter(is_archived=False)
    term = search_term(params)
    if term:
        found = found.filter(Q(name__icontains=term) | Q(description__icontains=term))
    return with_counts(found)


def with_counts(queryset: QuerySet[BiomarkerSet]) -> QuerySet[BiomarkerSet]:
    """The sets with their biomarker counts and organizations loaded, oldest first."""
    # A query with an aggregate ignores Meta.ordering, so the order is given again.
    counted = queryset.select_related("organization", "created_by").annotate(
        biomarker_count=Count("biomarkers")
    )
    return counted.order_by("created_at", "id")


def find_set(user: User, raw_id: str) -> BiomarkerSet:
    """A set the caller can see (archived ones too)."""
    return access.find(user, with_counts(BiomarkerSet.objects.all()), raw_id, NOUN)


def create_set(user: User, body: Mapping[str, Any]) -> BiomarkerSet:
    """A new set in the request's organization, from ``{name, target_type, ...}``."""
    organization = access.organization_to_create_in(user, NOUN)
    created = BiomarkerSet.objects.create(
        organization=organization,
        name=required_text(body, "name"),
        target_type=choice(body, "target_type", TARGET_TYPES),
        organism_shortname=optional_text(body, "organism_shortname", 100),
        description=optional_text(body, "description"),
        set_type=optional_text(body, "set_type", 100),
        created_by=user,
    )
    return find_set(user, str(created.uuid))


def archive(user: User, found: BiomarkerSet) -> BiomarkerSet:
    """Archive the set (archiving twice changes nothing)."""
    access.check_role(user, found.organization, NOUN)
    if not found.is_archived:
        found.is_archived = True
        found.save(update_fields=["is_archived", "updated_at"])
    return find_set(user, str(found.uuid))


EDITABLE = {"name", "description", "is_archived"}


@transaction.atomic
def update_set(user: User, found: BiomarkerSet, body: Mapping[str, Any]) -> BiomarkerSet:
    """Rename, describe, archive or restore a set; an archived set is only restored."""
    reject_unknown_fields(dict(body), EDITABLE)
    access.check_role(user, found.organization, NOUN)
    if "is_archived" in body:
        found.is_archived = clean_bool(body["is_archived"], "is_archived")
    if found.is_archived and {"name", "description"} & set(body):
        raise Conflict(f"This {NOUN} is archived; restore it to change it.")
    if "name" in body:
        found.name = required_text(body, "name")
    if "description" in body:
        found.description = optional_text(body, "description")
    found.save()
    return find_set(user, str(found.uuid))


def remove_biomarker(user: User, found: BiomarkerSet, raw_id: str) -> None:
    """Take one biomarker out of the set; ``404`` when the set has no such biomarker."""
    access.check_writable(user, found, NOUN)
    wanted = ids.parse_uuid(raw_id, "biomarker")
    deleted, _ = found.biomarkers.filter(uuid=wanted).delete()
    if not deleted:
        raise NotFound(f"This {NOUN} has no biomarker {wanted}.")


def biomarkers_of(found: BiomarkerSet, params: Mapping[str, Any]) -> QuerySet[Biomarker]:
    """The set's biomarkers in the order they were added, matching ``search``."""
    rows = found.biomarkers.all()
    term = search_term(params)
    if term:
        rows = rows.filter(Q(name__icontains=term) | Q(target_shortname__icontains=term))
    return rows


def clean_biomarker(body: Mapping[str, Any]) -> dict[str, str]:
    """The fields of one biomarker: ``name`` and optional ``target_shortname``, ``description``."""
    return {
        "name": required_text(body, "name"),
        "target_shortname": optional_text(body, "target_shortname", 200),
        "description": optional_text(body, "description"),
    }


def add_biomarker(user: User, found: BiomarkerSet, body: Mapping[str, Any]) -> Biomarker:
    """Add one biomarker; ``409`` when the set already has one of that name."""
    access.check_writable(user, found, NOUN)
    fields = clean_biomarker(body)
    if found.biomarkers.filter(name=fields["name"]).exists():
        raise Conflict(
            f"Biomarker {fields['name']!r} is already in this set.", details={"field": "name"}
        )
    return Biomarker.objects.create(biomarker_set=found, **fields)


def rows_of_csv(data: bytes) -> list[dict[str, str]]:
    """The biomarkers of an uploaded CSV; an error names the row that is wrong."""
    header, rows = csv_upload.read_rows(data)
    csv_upload.require_column(header, "name")
    cleaned = []
    for row_number, row in rows:
        try:
            cleaned.append(clean_biomarker(row))
        except InvalidInput as error:
            raise InvalidInput(
                f"Row {row_number}: {error.message}",
                details={"row": row_number, "column": error.details.get("field")},
            ) from error
    return cleaned


def upload_csv(user: User, found: BiomarkerSet, data: bytes) -> dict[str, int]:
    """Add every row of the CSV not in the set yet: ``{added, skipped, count}``."""
    access.check_writable(user, found, NOUN)
    rows = rows_of_csv(data)
    with transaction.atomic():
        known = set(found.biomarkers.values_list("name", flat=True))
        new = []
        for row in rows:
            if row["name"] not in known:
                known.add(row["name"])
                new.append(Biomarker(biomarker_set=found, **row))
        Biomarker.objects.bulk_create(new)
    return {"added": len(new), "skipped": len(rows) - len(new), "count": len(known)}


def csv_of(found: BiomarkerSet) -> bytes:
    """The set's biomarkers as CSV: ``name,target_shortname,description``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for biomarker in found.biomarkers.all():
        writer.writerow([biomarker.name, biomarker.target_shortname, biomarker.description])
    return out.getvalue().encode("utf-8")


def download_url(request: HttpRequest, found: BiomarkerSet) -> str:
    """A signed link to the set as CSV, stored once per content."""
    data = csv_of(found)
    key = f"exports/biomarker-sets/{found.uuid}/{hashlib.sha256(data).hexdigest()[:32]}.csv"
    storage = get_storage()
    if not storage.exists(key):
        storage.put(key, data)
    return signed_download_url(request, key, f"{found.name}.csv", "text/csv")


def gene_symbols(found: BiomarkerSet) -> list[str]:
    """The names of a set's biomarkers, in the order they were added."""
    return list(found.biomarkers.values_list("name", flat=True))


def set_json(found: BiomarkerSet) -> dict[str, Any]:
    """The API shape of a biomarker set."""
    return {
        "uuid": str(found.uuid),
        "name": found.name,
        "description": found.description,
        "target_type": found.target_type,
        "organism_shortname": found.organism_shortname,
        "set_type": found.set_type,
        "is_archived": found.is_archived,
        "organization": str(found.organization.uuid),
        "biomarker_count": biomarker_count(found),
        "gene_set_name": f"biomarker_set:{found.uuid}",
        "created_by": found.created_by.email,
        "created_at": iso(found.created_at),
        "updated_at": iso(found.updated_at),
    }


def biomarker_count(found: BiomarkerSet) -> int:
    """How many biomarkers the set holds (annotated by :func:`with_counts` when loaded)."""
    counted = getattr(found, "biomarker_count", None)
    return int(counted) if counted is not None else found.biomarkers.count()


def biomarker_json(biomarker: Biomarker) -> dict[str, Any]:
    """The API shape of one biomarker."""
    return {
        "uuid": str(biomarker.uuid),
        "name": biomarker.name,
        "target_shortname": biomarker.target_shortname,
        "description": biomarker.description,
        "created_at": iso(biomarker.created_at),
    }
