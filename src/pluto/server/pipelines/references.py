"""References: adding one, listing them, and choosing one for a run.

A reference holds a transcriptome (its salmon index and transcript-to-gene map, for RNA-seq),
a genome (its bowtie2 index, for the peak pipelines) or both, built and kept in the object
store.

Adding is synchronous: the command that adds a reference waits while salmon and bowtie2
index it (seconds for a small transcriptome or genome; about half an hour for a full human
transcriptome, hours for a human genome). The reference is ``indexing`` meanwhile, so a run
cannot choose it before its indexes are stored, and ``failed`` with the reason when indexing
fails.
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
from pluto.server.pipelines.genomes import (
    INDEX_NAME,
    GenomeSummary,
    build_genome_index,
    summarize_genome,
)
from pluto.server.pipelines.models import Reference, ReferenceKind, ReferenceStatus
from pluto.server.pipelines.tools import run_tool, threads, tool_version
from pluto.server.scratch import scratch_folder
from pluto.server.storage import get_storage

GTF_IDS = re.compile(r'(gene_id|transcript_id) "([^"]+)"')
MAX_NAME = 100
INDEX_FILE = "salmon_index.tar"
TX2GENE_FILE = "tx2gene.tsv"
# What a pipeline may need of a reference: how to say it holds it, what the pipeline does
# with it, and the options that add one.
NEEDS = {
    "transcriptome": (
        "a transcriptome",
        "quantifies against a transcriptome",
        "--transcripts … --gtf …",
    ),
    "genome": ("a genome", "aligns to a genome", "--genome …"),
}


def is_gzipped(path: Path) -> bool:
    """Whether a file is gzipped (told by its first bytes, not its name)."""
    with path.open("rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """A text file, gzipped or not (told by its first bytes, not its name)."""
    if is_gzipped(path):
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


def clean_files(transcripts: Path | None, gtf: Path | None, genome: Path | None) -> dict[str, Path]:
    """The files given by field, checked to make a transcriptome, a genome or both."""
    if transcripts is None and gtf is None and genome is None:
        raise InvalidInput(
            "A reference needs a transcriptome ('transcripts' with its 'gtf'), a 'genome', or "
            "both; none was given.",
            details={"field": "genome"},
        )
    if (transcripts is None) != (gtf is None):
        missing, given = ("gtf", "transcripts") if gtf is None else ("transcripts", "gtf")
        raise InvalidInput(
            f"'{missing}' is required with '{given}': a transcriptome is its transcript FASTA "
            "and the GTF made with it.",
            details={"field": missing},
        )
    named = {"transcripts": transcripts, "gtf": gtf, "genome": genome}
    return {field: path for field, path in named.items() if path is not None}


def kind_of(files: dict[str, Path]) -> str:
    """What a reference of these files holds."""
    if "genome" not in files:
        return ReferenceKind.TRANSCRIPTOME
    return ReferenceKind.BOTH if "transcripts" in files else ReferenceKind.GENOME


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
    folder.mkdir()
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


def store_genome_index(reference: Reference, genome: Path, folder: Path, log: Any) -> None:
    """Index the genome with bowtie2 and store the index as one tar archive."""
    folder.mkdir()
    archive = build_genome_index(genome, is_gzipped(genome), folder, log)
    key = f"{storage_prefix(reference)}/{archive.name}"
    reference.genome_index_key = get_storage().put(key, archive).key


def record_genome(reference: Reference, summary: GenomeSummary) -> None:
    """Record the genome's size (bases that are not N) and number of sequences."""
    reference.genome_size, reference.sequences = summary.size, len(summary.lengths)


def check_transcriptome(files: dict[str, Path]) -> tuple[dict[str, str], list[str]] | None:
    """The transcript-to-gene map and transcript ids, checked; None without a transcriptome."""
    if "transcripts" not in files:
        return None
    mapping = transcript_genes(files["gtf"])
    ids = fasta_ids(files["transcripts"])
    check_every_transcript_has_a_gene(ids, mapping)
    return mapping, ids


def check_genome(files: dict[str, Path]) -> GenomeSummary | None:
    """The genome's sequences and size, checked; None without a genome."""
    if "genome" not in files:
        return None
    with open_text(files["genome"]) as handle:
        return summarize_genome(handle)


def index_reference(reference: Reference, files: dict[str, Path], log: Any) -> None:
    """Check every file, then build and store the indexes (and the map); mark it ready."""
    # Every file is checked before any index is built, so a bad one is refused at once.
    transcriptome, genome = check_transcriptome(files), check_genome(files)
    with scratch_folder("reference-") as folder:
        if transcriptome is not None:
            build_index(reference, files["transcripts"].resolve(), folder / "salmon", log)
            store_tx2gene(reference, *transcriptome)
        if genome is not None:
            store_genome_index(reference, files["genome"], folder / "bowtie2", log)
            record_genome(reference, genome)
    tools = ["salmon"] * (transcriptome is not None) + ["bowtie2"] * (genome is not None)
    reference.indexer = ", ".join(tool_version(tool) for tool in tools)
    reference.status, reference.finished_at = ReferenceStatus.READY, timezone.now()
    reference.save()


def add_reference(
    name: str,
    organism: str,
    transcripts: Path | None = None,
    gtf: Path | None = None,
    genome: Path | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> Reference:
    """Add a reference and index it (waits until done); the ready reference.

    It holds a transcriptome (``transcripts`` with its ``gtf``, indexed with salmon), a
    ``genome`` FASTA (indexed with bowtie2), or both. Bad arguments are ``InvalidInput``
    naming the field, a taken name ``Conflict``; a file refused on reading or a failed
    indexing leaves the reference ``failed`` with the reason, and raises it.
    """
    files = clean_files(transcripts, gtf, genome)
    found = clean_reference_request(name, organism, files)
    reference = Reference.objects.create(name=name, organism=found, kind=kind_of(files))
    try:
        index_reference(reference, files, log)
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
        "genome_size": reference.genome_size,
        "sequences": reference.sequences,
        "indexer": reference.indexer,
        "created_at": reference.created_at.isoformat(),
        "finished_at": reference.finished_at.isoformat() if reference.finished_at else None,
    }


def kind_problem(value: str, reference: Reference, needs: str) -> str:
    """Why a reference does not hold what a pipeline ``needs``; empty when it does."""
    _, does, options = NEEDS[needs]
    holds = reference.holds_transcriptome if needs == "transcriptome" else reference.holds_genome
    if holds:
        return ""
    other = "genome" if needs == "transcriptome" else "transcriptome"
    return (
        f"{value!r} holds {NEEDS[other][0]} only; this pipeline {does}: add one with "
        f"`pluto reference add {options}`."
    )


def reference_problem(
    value: Any, organism: Organism, needs: str = "transcriptome"
) -> tuple[Reference | None, str]:
    """The ready reference a run names (by name or uuid) or why it cannot be chosen.

    ``needs`` is what the pipeline uses of it: ``"transcriptome"`` or ``"genome"``.
    """
    if needs not in NEEDS:
        raise ValueError(f"needs must be one of {', '.join(NEEDS)}, not {needs!r}")
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
    problem = kind_problem(value, found, needs)
    return (None, problem) if problem else (found, "")


def fetch_index(reference: Reference, folder: Path) -> tuple[Path, dict[str, str]]:
    """The reference's salmon index unpacked into ``folder``, and its transcript-to-gene map."""
    storage = get_storage()
    with storage.open(reference.index_key) as source, tarfile.open(fileobj=source) as tar:
        tar.extractall(folder, filter="data")
    with storage.open(reference.tx2gene_key) as source:
        rows = source.read().decode().splitlines()
    return folder / "index", dict(row.split("\t", 1) for row in rows if row)


def fetch_genome_index(reference: Reference, folder: Path) -> Path:
    """The reference's bowtie2 index unpacked into ``folder``; the prefix for ``bowtie2 -x``."""
    if not reference.genome_index_key:
        raise InvalidInput(
            f"{reference.name!r} holds no genome index.", details={"field": "reference"}
        )
    with (
        get_storage().open(reference.genome_index_key) as source,
        tarfile.open(fileobj=source) as tar,
    ):
        tar.extractall(folder, filter="data")
    return folder / "index" / INDEX_NAME
