"""Gene set collections: GMT files kept per instance, listed, and used by enrichment analyses."""

from __future__ import annotations

import contextlib
import gzip
import re
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from pluto.server.accounts.models import User
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import bundled_collections, parse_gmt
from pluto.server.analyses.models import GeneSetCollection
from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.http import nul_character_error
from pluto.server.lab.schemas import iso
from pluto.server.openapi import NUL_FREE
from pluto.server.storage import get_storage

SHORTNAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_GMT_BYTES = 50 * 1024 * 1024


GMT_FIELDS = {
    "shortname": {"type": "string", "pattern": SHORTNAME.pattern},
    "name": {"type": "string", "pattern": NUL_FREE},
    "description": {"type": "string", "pattern": NUL_FREE},
}
UPLOAD_DOC: dict[str, Any] = {
    "description": "A GMT file, as the raw body or the multipart field 'file'. 'shortname', "
    "'name' and 'description' come as form fields or query parameters; at most 50 MB.",
    "parameters": [
        {"in": "query", "name": name, "required": False, "schema": schema}
        for name, schema in GMT_FIELDS.items()
    ],
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}, **GMT_FIELDS},
                    "required": ["file"],
                }
            },
        },
    },
}


BUNDLED_SOURCE = (
    "Gene Ontology Biological Process gene sets as packaged by Enrichr (2023), shipped with "
    "Pluto; Gene Ontology data are CC BY 4.0."
)


def ensure_bundled() -> None:
    """Register the collections shipped with Pluto, the first time they are asked for."""
    for file_name, path in bundled_collections().items():
        shortname = file_name.lower()
        if GeneSetCollection.objects.filter(shortname=shortname).exists():
            continue
        text = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        with contextlib.suppress(InvalidInput):  # registered meanwhile by another process
            create_collection(
                None,
                shortname,
                file_name.replace("_", " "),
                text.decode("utf-8"),
                source=BUNDLED_SOURCE,
            )


def all_collections() -> list[GeneSetCollection]:
    """Every collection of the instance (shipped and uploaded), by short name."""
    ensure_bundled()
    return list(GeneSetCollection.objects.order_by("shortname"))


def collection_json(collection: GeneSetCollection) -> dict[str, Any]:
    """``{uuid, shortname, name, description, source, set_count, gene_count, created_at}``."""
    return {
        "uuid": str(collection.uuid),
        "shortname": collection.shortname,
        "name": collection.name,
        "description": collection.description,
        "source": collection.source,
        "set_count": collection.set_count,
        "gene_count": collection.gene_count,
        "created_at": iso(collection.created_at),
    }


def clean_shortname(value: Any) -> str:
    """A short name of lower-case letters, digits, '-' and '_'."""
    if not isinstance(value, str) or not SHORTNAME.match(value):
        raise InvalidInput(
            "'shortname' must be lower-case letters, digits, '-' or '_' (at most 100).",
            details={"field": "shortname"},
        )
    return value


def gmt_too_large() -> PlutoError:
    """``413 payload_too_large`` naming the limit of gene set files."""
    return PlutoError(
        f"Gene set files may be at most {MAX_GMT_BYTES // 1024**2} MB.",
        code="payload_too_large",
        status=413,
        details={"field": "file", "limit": MAX_GMT_BYTES},
    )


def is_multipart(request: HttpRequest) -> bool:
    """Whether the body is a multipart form (the file in its field ``file``)."""
    return str(request.META.get("CONTENT_TYPE", "")).lower().startswith("multipart/form-data")


def gmt_bytes(request: HttpRequest) -> bytes:
    """The uploaded GMT file's bytes: multipart field ``file``, or the raw body.

    The raw body is read from the stream, not ``request.body``, so the limit is the 50 MB of
    gene set files rather than the much smaller one of JSON bodies.
    """
    if not is_multipart(request):
        return bytes(request.read(MAX_GMT_BYTES + 1))
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(
            "Send the GMT file in a multipart field called 'file', or as the raw body.",
            details={"field": "file"},
        )
    return bytes(upload.read(MAX_GMT_BYTES + 1))


def refuse_oversized(request: HttpRequest) -> None:
    """Refuse a body whose ``Content-Length`` is over the limit before reading any of it."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_GMT_BYTES:
        raise gmt_too_large()


def gmt_text(request: HttpRequest) -> str:
    """The uploaded GMT file as UTF-8 text."""
    data = gmt_bytes(request)
    if len(data) > MAX_GMT_BYTES:
        raise gmt_too_large()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The GMT file is not UTF-8 text.", details={"field": "file"}) from exc


def create_from_request(user: User, request: HttpRequest) -> GeneSetCollection:
    """A new collection from an uploaded GMT file (``shortname`` and ``name`` as parameters)."""
    refuse_oversized(request)
    form = request.POST if is_multipart(request) else {}

    def field(name: str) -> str:
        """A form field, or the query parameter of that name (PostgreSQL takes no NUL)."""
        value = str(form.get(name) or request.GET.get(name) or "")
        if "\x00" in value:
            raise nul_character_error(name)
        return value

    return create_collection(
        user,
        clean_shortname(field("shortname")),
        field("name"),
        gmt_text(request),
        description=field("description"),
    )


def create_collection(
    user: User | None,
    shortname: str,
    name: str,
    text: str,
    description: str = "",
    source: str = "uploaded",
) -> GeneSetCollection:
    """Validate a GMT text and store it as a collection."""
    try:
        parsed = parse_gmt(text)
    except AnalysisInputError as error:
        raise InvalidInput(error.message, details={"field": "file"}) from error
    # A key of its own, so a refused upload under a taken name never replaces a stored file.
    key = f"gene-sets/{shortname}-{uuid.uuid4().hex}.gmt"
    get_storage().put(key, text.encode("utf-8"))
    try:
        with transaction.atomic():
            return GeneSetCollection.objects.create(
                shortname=shortname,
                name=name or shortname,
                description=description,
                source=source,
                storage_key=key,
                set_count=len(parsed),
                gene_count=len(parsed.all_genes()),
                created_by=user,
            )
    except IntegrityError as exc:
        get_storage().delete(key)
        raise InvalidInput(
            f"A collection named {shortname!r} already exists.", details={"field": "shortname"}
        ) from exc
