"""Transcriptome references: adding one (its salmon index and transcript-to-gene map, built
and kept in the object store), listing them, and choosing one for a run.

Adding is synchronous: the command that adds a reference waits while salmon indexes it
(seconds for a small transcriptome, about half an hour for a full human one). The reference
is ``indexing`` meanwhile, so a run cannot choose it before its index is stored, and
``failed`` with the reason when indexing fails.
"""

from __future__ import annotations

import gzip
import re
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from pluto.server.errors import Conflict, InvalidInput, PlutoError
from pluto.server.lab.models import Organism
from pluto.server.pipelines.models import Reference, ReferenceStatus
from pluto.server.pipelines.tools import run_tool, threads, tool_version
from pluto.server.scratch import scratch_folder
from pluto.server.storage import get_storage

GTF_IDS = re.compile(r'(gene_id|transcript_id) "([^"]+)"')
MAX_NAME = 100
INDEX_FILE = "salmon_index.tar"
TX2GENE_FILE = "tx2gene.tsv"


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """A text file, gzipped or not (told by its first bytes, not its name)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        with gzip.open(path, "rt") as unpacked:
            yield unpacked
    else:
        with path.open("rt") as plain:
            yield plain


def transcript_genes(gtf: Path) -> dict[str, str]:
    """Transcript id to gene id, from the GTF's lines that name both."""
    mapping: dict[str, str] = {}
    with open_text(gtf) as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            ids = dict(GTF_IDS.findall(line))
            if "transcript_id" in ids and "gene_id" in ids:
                mapping[ids["transcript_id"]] = ids["gene_id"]
    if not mapping:
        raise InvalidInput(
            "The GTF names no transcript with its gene (no line has both transcript_id and "
            "gene_id).",
            details={"field": "gtf"},
        )
    return mapping


def fasta_ids(transcripts: Path) -> list[str]:
    """The transcript ids of a FASTA file (each header's first word)."""
    with open_text(transcripts) as handle:
        ids = [line[1:].split()[0] for line in handle if line.startswith(">") and line[1:].split()]
    if not ids:
        raise InvalidInput(
            "The transcripts file holds no FASTA record (no line starts with '>').",
            details={"field": "transcripts"},
        )
    return ids


def check_every_transcript_has_a_gene(ids: list[str], mapping: dict[str, str]) -> None:
    """Every transcript of the FASTA must have its gene in the GTF (or counts would be lost)."""
    missing = [tid for tid in ids if tid not in mapping]
    if missing:
        shown = ", ".join(missing[:5])
        raise InvalidInput(
            f"{len(missing)} transcript(s) of the FASTA have no gene in the GTF, such as "
            f"{shown}; give the GTF made with these transcripts.",
            details={"field": "gtf", "missing": missing[:20]},
        )


def clean_reference_request(name: str, organism: str, files: dict[str, Path]) -> Organism:
    """Check a new reference's name, organism and files; its organism."""
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(
            f"'name' must be a text of 1 to {MAX_NAME} characters.", details={"field": "name"}
        )
    if Reference.objects.filter(name=name).exists():
        raise Conflict(f"A reference named {name!r} exists already.", details={"field": "name"})
    found = Organism.objects.filter(shortname=organism).first()
    if found is None:
        known = ", ".join(Organism.objects.values_list("shortname", flat=True))
        raise InvalidInput(
            f"'organism' {organism!r} is not known; it must be one of {known}.",
            details={"field": "organism"},
        )
    for field, path in files.items():
        if not path.is_file():
            raise InvalidInput(f"'{field}' {path} is not a file.", details={"field": field})
    return found


def build_index(reference: Reference, transcripts: Path, folder: Path, log: Any) -> None:
    """Index the transcripts with salmon and store the index as one tar archive."""
    index = folder / "index"
    args: list[str | Path] = ["salmon", "index", "-t", transcripts, "-i", index]
    run_tool([*args, "-p", str(threads())], f"indexing {reference.name}", log, folder)
    archive = folder / INDEX_FILE
    with tarfile.open(archive, "w") as tar:
        tar.add(index, arcname="index")
    reference.index_key = (
        get_storage().put(f"{storage_prefix(reference)}/{INDEX_FILE}", archive).key
    )


def store_tx2gene(reference: Reference, mapping: dict[str, str], ids: list[str]) -> None:
    """Store the transcript-to-gene table of the FASTA's transcripts."""
    lines = "".join(f"{tid}\t{mapping[tid]}\n" for tid in ids)
    key = f"{storage_prefix(reference)}/{TX2GENE_FILE}"
    reference.tx2gene_key = get_storage().put(key, lines.encode()).key
    reference.transcripts, reference.genes = len(ids), len({mapping[tid] for tid in ids})


def storage_prefix(reference: Reference) -> str:
    """Where a reference's objects live in the object store."""
    return f"references/{reference.uuid}"


def index_reference(reference: Reference, transcripts: Path, gtf: Path, log: Any) -> None:
    """Check the files, store the transcript-to-gene map and the index; mark it ready."""
    mapping = transcript_genes(gtf)
    ids = fasta_ids(transcripts)
    check_every_transcript_has_a_gene(ids, mapping)
    with scratch_folder("reference-") as folder:
        build_index(reference, transcripts.resolve(), folder, log)
    store_tx2gene(reference, mapping, ids)
    reference.indexer = tool_version("salmon")
    reference.status, reference.finished_at = ReferenceStatus.READY, timezone.now()
    reference.save()


def add_reference(
    name: str,
    organism: str,
    transcripts: Path,
    gtf: Path,
    log: Callable[[str], None] = lambda _line: None,
) -> Reference:
    """Add a transcriptome reference and index it (waits until done); the ready reference.

    Bad arguments are ``InvalidInput`` naming the field, a taken name ``Conflict``; a failed
    indexing leaves the reference ``failed`` with the reason, and raises it.
    """
    found = clean_reference_request(name, organism, {"transcripts": transcripts, "gtf": gtf})
    reference = Reference.objects.create(name=name, organism=found)
    try:
        index_reference(reference, transcripts, gtf, log)
    except PlutoError as error:
        mark_failed(reference, error.message)
        raise
    except BaseException:
        mark_failed(reference, "Indexing stopped on an unexpected error; it has been logged.")
        raise
    return reference


def mark_failed(reference: Reference, message: str) -> None:
    """Record that indexing failed, and why."""
    Reference.objects.filter(pk=reference.pk).update(
        status=ReferenceStatus.FAILED, error=message, finished_at=timezone.now()
    )


def all_references() -> QuerySet[Reference]:
    """Every reference, by name."""
    return Reference.objects.select_related("organism").order_by("name")


def reference_json(reference: Reference) -> dict[str, Any]:
    """A reference as ``GET references/`` lists it."""
    return {
        "uuid": str(reference.uuid),
        "name": reference.name,
        "organism": reference.organism.shortname,
        "kind": reference.kind,
        "status": reference.status,
        "error": reference.error,
        "transcripts": reference.transcripts,
        "genes": reference.genes,
        "indexer": reference.indexer,
        "created_at": reference.created_at.isoformat(),
        "finished_at": reference.finished_at.isoformat() if reference.finished_at else None,
    }


def reference_problem(
    value: Any, organism: Organism, needs: str = "transcriptome"
) -> tuple[Reference | None, str]:
    """The ready reference a run names (by name or uuid) or why it cannot be chosen."""
    if not isinstance(value, str) or not value.strip():
        return None, "is required: the name of a ready reference (GET references/)."
    found = next((r for r in all_references() if value in (r.name, str(r.uuid))), None)
    if found is None:
        return None, f"{value!r} is not a reference of this server."
    if found.status != ReferenceStatus.READY:
        reason = (
            "is still being indexed"
            if found.status == ReferenceStatus.INDEXING
            else (f"failed to index ({found.error})")
        )
        return None, f"{value!r} {reason}; it cannot be chosen until it is ready."
    if found.organism_id != organism.pk:
        return None, (
            f"{value!r} is a {found.organism.shortname} reference; this experiment's samples "
            f"are {organism.shortname}."
        )
    return found, ""


def fetch_index(reference: Reference, folder: Path) -> tuple[Path, dict[str, str]]:
    """The reference's salmon index unpacked into ``folder``, and its transcript-to-gene map."""
    storage = get_storage()
    with storage.open(reference.index_key) as source, tarfile.open(fileobj=source) as tar:
        tar.extractall(folder, filter="data")
    with storage.open(reference.tx2gene_key) as source:
        rows = source.read().decode().splitlines()
    return folder / "index", dict(row.split("\t", 1) for row in rows if row)
