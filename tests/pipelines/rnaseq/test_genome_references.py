"""Genome references (a bowtie2 index, for the peak pipelines) beside transcriptome ones:
added with the real ``pluto reference add`` and bowtie2-build, listed, fetched back and
aligned to with bowtie2, refused with the field named, and chosen only by the pipelines
that use what they hold."""

from __future__ import annotations

import gzip
import random
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment, Organism
from pluto.server.pipelines.models import Reference, ReferenceKind, ReferenceStatus
from pluto.server.pipelines.references import (
    add_reference,
    fetch_genome_index,
    reference_problem,
)
from pluto.server.pipelines.simulator import SimulatedExperiment
from tests.cli.test_admin_commands import Pluto, pluto  # noqa: F401  (the fixture)
from tests.conftest import Caller
from tests.pipelines.rnaseq.conftest import samples_body, start_rnaseq
from tests.pipelines.test_workflows_tab import workflows_tab
from tests.web.conftest import html, signed_in

LENGTHS = {"chr1": 3000, "chr2": 2500, "chrM": 1200}
UNKNOWN = 200  # Ns at the start of chr1, which the genome size leaves out
SIZE = sum(LENGTHS.values()) - UNKNOWN


def random_genome() -> dict[str, str]:
    """Three made-up chromosomes of random bases (fixed seed), chr1 starting with Ns."""
    bases = random.Random(20261203)
    genome = {name: "".join(bases.choices("ACGT", k=n)) for name, n in LENGTHS.items()}
    genome["chr1"] = "N" * UNKNOWN + genome["chr1"][UNKNOWN:]
    return genome


def write_fasta(path: Path, genome: dict[str, str]) -> Path:
    """The genome as a gzipped FASTA of 60-base lines."""
    with gzip.open(path, "wt") as out:
        for name, sequence in genome.items():
            out.write(f">{name} made up\n")
            out.writelines(sequence[i : i + 60] + "\n" for i in range(0, len(sequence), 60))
    return path


@pytest.fixture
def genome_fasta(tmp_path: Path) -> Path:
    """The random genome written as ``genome.fa.gz``."""
    return write_fasta(tmp_path / "genome.fa.gz", random_genome())


def test_the_cli_adds_a_genome_reference_and_lists_it(
    pluto: Pluto,  # noqa: F811
    genome_fasta: Path,
) -> None:
    added = pluto(
        "reference",
        "add",
        "--name",
        "hg-tiny",
        "--organism",
        "human",
        "--genome",
        str(genome_fasta),
    )
    listed = pluto("reference", "list")

    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Indexing genome.fa.gz with bowtie2…\n")
    assert f"Added hg-tiny (human): a genome of 3 sequences, {SIZE:,} bases, " in added.stdout
    assert "indexed with bowtie2 2." in added.stdout and "salmon" not in added.stdout
    assert listed.stdout == f"hg-tiny  human  genome  ready  3 sequences, {SIZE:,} bases\n"


def test_the_fetched_genome_index_aligns_a_read_cut_from_the_genome(
    db: None, genome_fasta: Path, tmp_path: Path
) -> None:
    read = random_genome()["chr2"][1000:1060]

    added = add_reference("hg-tiny", "human", genome=genome_fasta)
    prefix = fetch_genome_index(added, tmp_path / "fetched")
    aligned = subprocess.run(
        ["bowtie2", "-x", str(prefix), "-c", read, "--no-hd", "--no-unal"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert (added.kind, added.status) == (ReferenceKind.GENOME, ReferenceStatus.READY)
    assert added.holds_genome and not added.holds_transcriptome
    assert (added.sequences, added.genome_size) == (3, SIZE)
    assert added.indexer.startswith("bowtie2 2.")
    assert (added.index_key, added.tx2gene_key) == ("", "")
    flag, chromosome, position = aligned.stdout.split("\t")[1:4]
    assert (flag, chromosome, position) == ("0", "chr2", "1001")


def test_a_reference_may_hold_a_transcriptome_and_a_genome_and_the_list_shows_both(
    ada: Caller, reference: Reference, simulated: SimulatedExperiment, genome_fasta: Path
) -> None:
    transcripts, gtf = simulated.transcripts_fasta, simulated.gtf

    both = add_reference("both", "human", transcripts, gtf, genome_fasta)
    answer = ada.call("GET", "/lab/references/")

    assert both.holds_transcriptome and both.holds_genome
    assert both.indexer.startswith("salmon 1.") and ", bowtie2 2." in both.indexer
    assert answer.status_code == 200
    listed = {item["name"]: item for item in answer.data["items"]}
    assert listed["both"]["kind"] == "transcriptome_and_genome"
    assert (listed["both"]["sequences"], listed["both"]["genome_size"]) == (3, SIZE)
    assert listed["both"]["genes"] == 150 and listed["both"]["status"] == "ready"
    assert listed["tiny"]["kind"] == "transcriptome"
    assert (listed["tiny"]["sequences"], listed["tiny"]["genome_size"]) == (0, 0)


Files = Callable[[Path, SimulatedExperiment], dict[str, Path]]


def genome_of(text: str) -> Files:
    """Files of a genome FASTA with ``text`` as its content."""

    def files(folder: Path, _simulated: SimulatedExperiment) -> dict[str, Path]:
        path = folder / "genome.fa"
        path.write_text(text)
        return {"genome": path}

    return files


def add_with(name: str, files: dict[str, Path]) -> Reference:
    """``add_reference`` given the files by field."""
    transcripts, gtf, genome = (files.get(field) for field in ("transcripts", "gtf", "genome"))
    return add_reference(name, "human", transcripts, gtf, genome)


ARGUMENT_REFUSALS = [
    (lambda folder, simulated: {}, "genome", "a 'genome', or both; none was given"),
    (
        lambda folder, simulated: {"transcripts": simulated.transcripts_fasta},
        "gtf",
        "'gtf' is required with 'transcripts'",
    ),
    (
        lambda folder, simulated: {"gtf": simulated.gtf},
        "transcripts",
        "'transcripts' is required with 'gtf'",
    ),
]
GENOME_REFUSALS = [
    (genome_of("\n\n"), "genome", "'genome' holds no FASTA record"),
    (genome_of("ACGT\n>chr1\nACGT\n"), "genome", "line 1 comes before any '>' header"),
    (
        genome_of(">chr1\nACGT\n>chr2\nACGTACGT\nACGJACGT\n"),
        "genome",
        "record 'chr2', line 5: 'J' is not a nucleotide",
    ),
    (
        genome_of(">chr1 one\nACGT\n>chr2\nAC\n>chr1 two\nACGT\n"),
        "genome",
        "names the sequence 'chr1' twice (again on line 5)",
    ),
    (genome_of(">chr1\nACGT\n> \nACGT\n"), "genome", "line 3 is a header ('>') without"),
    (genome_of(">chr1\nACGT\n>chr2\n>chr3\nAC\n"), "genome", "record 'chr2' has no bases"),
]


@pytest.mark.parametrize(("files", "field", "message"), ARGUMENT_REFUSALS)
def test_a_reference_without_a_whole_transcriptome_or_genome_is_refused_and_not_stored(
    db: None, tmp_path: Path, simulated: SimulatedExperiment, files: Files, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_with("x", files(tmp_path, simulated))

    assert refused.value.details["field"] == field
    assert message in refused.value.message
    assert not Reference.objects.exists()


@pytest.mark.parametrize(("files", "field", "message"), GENOME_REFUSALS)
def test_a_genome_that_is_not_a_genome_fasta_is_refused_naming_where(
    db: None, tmp_path: Path, simulated: SimulatedExperiment, files: Files, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_with("x", files(tmp_path, simulated))

    assert refused.value.details["field"] == field
    assert message in refused.value.message
    failed = Reference.objects.get(name="x")
    assert (failed.kind, failed.status) == (ReferenceKind.GENOME, ReferenceStatus.FAILED)
    assert failed.error == refused.value.message and not failed.genome_index_key


def test_the_cli_says_what_is_missing_and_stores_nothing(
    pluto: Pluto,  # noqa: F811
    simulated: SimulatedExperiment,
) -> None:
    name = ["reference", "add", "--name", "x", "--organism", "human"]

    nothing = pluto(*name)
    no_gtf = pluto(*name, "--transcripts", str(simulated.transcripts_fasta))
    listed = pluto("reference", "list")

    assert nothing.returncode == 1 and nothing.stdout == ""
    assert "a 'genome', or both; none was given" in nothing.stderr
    assert no_gtf.returncode == 1 and no_gtf.stdout == ""
    assert "'gtf' is required with 'transcripts'" in no_gtf.stderr
    assert listed.stdout == "No references.\n"


def ready_reference(name: str, kind: str, **fields: Any) -> Reference:
    """A ready human reference row of ``kind`` (no index: only its choice is tested)."""
    human = Organism.objects.get(shortname="human")
    return Reference.objects.create(
        name=name, organism=human, kind=kind, status=ReferenceStatus.READY, **fields
    )


def test_a_pipeline_refuses_a_reference_without_what_it_uses(db: None) -> None:
    human = Organism.objects.get(shortname="human")
    ready_reference("demo-tiny", ReferenceKind.TRANSCRIPTOME)
    genome = ready_reference("hg-tiny", ReferenceKind.GENOME)
    both = ready_reference("both", ReferenceKind.BOTH)

    assert reference_problem("demo-tiny", human, needs="genome") == (
        None,
        "'demo-tiny' holds a transcriptome only; this pipeline aligns to a genome: add one "
        "with `pluto reference add --genome …`.",
    )
    assert reference_problem("hg-tiny", human) == (
        None,
        "'hg-tiny' holds a genome only; this pipeline quantifies against a transcriptome: add "
        "one with `pluto reference add --transcripts … --gtf …`.",
    )
    assert reference_problem("hg-tiny", human, needs="genome") == (genome, "")
    assert reference_problem("both", human, needs="genome") == (both, "")
    assert reference_problem("both", human, needs="transcriptome") == (both, "")


def test_an_rnaseq_run_on_a_genome_reference_is_refused_naming_the_reference(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> None:
    ready_reference("hg-tiny", ReferenceKind.GENOME)

    answer = start_rnaseq(ada, experiment, {"reference": "hg-tiny", "samples": samples_body(fastq)})

    assert answer.status_code == 400, answer.data
    assert answer.data["details"]["field"] == "reference"
    assert "'hg-tiny' holds a genome only; this pipeline quantifies" in answer.data["message"]


def test_the_drop_zone_does_not_offer_a_genome_only_reference(
    ada: Caller, experiment: Experiment
) -> None:
    ready_reference("hg-tiny", ReferenceKind.GENOME)
    ready_reference("both", ReferenceKind.BOTH)

    page = html(signed_in(ada.user).get(workflows_tab(experiment)))

    assert '<select id="fastq-reference" name="reference"><option>both</option></select>' in page


def test_administrators_see_a_genome_reference_with_its_size_and_sequences(
    make_caller: Any, db: None
) -> None:
    genome = ready_reference("hg-tiny", ReferenceKind.GENOME, sequences=3, genome_size=8850)
    admin = make_caller("root")
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    admin.client.force_login(admin.user)

    listed = admin.client.get("/admin/pipelines/reference/").content.decode()
    shown = admin.client.get(f"/admin/pipelines/reference/{genome.pk}/change/").content.decode()

    assert "Genome size" in listed and "Sequences" in listed and "8850" in listed
    assert "Genome index key" in shown and "8850" in shown
