"""The peak-type sequencing simulator: same seed same bytes, sound sites, reads that pair up,
the scoring against the truth, and planted sites that bowtie2 and MACS2 find."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from pluto.server.pipelines.peak_simulator import (
    READ_LENGTH,
    SimulatedPeaks,
    Site,
    false_peaks,
    read_peaks,
    recovered_sites,
    simulate_peaks_experiment,
)

TOOLS = ("bowtie2", "bowtie2-build", "samtools", "macs2", "bedtools", "fastp")
SITES = [Site("chr1", 100, 200, "a"), Site("chr1", 500, 600, "b"), Site("chr2", 100, 200, "c")]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> SimulatedPeaks:
    """Two samples of 2,000 read pairs each (fixed seed)."""
    return simulate_peaks_experiment(tmp_path_factory.mktemp("peaks"), ("S1", "S2"), 2_000)


def fastq_names(path: Path) -> list[str]:
    """Each record's name, without its ``/1`` or ``/2``."""
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    return [line[1:].rsplit("/", 1)[0] for line in lines[::4]]


def test_the_same_seed_writes_the_same_bytes(simulated: SimulatedPeaks, tmp_path: Path) -> None:
    again = simulate_peaks_experiment(tmp_path, ("S1", "S2"), 2_000)
    other = simulate_peaks_experiment(tmp_path / "other", ("S1", "S2"), 2_000, seed=7)

    for name in ("genome.fa.gz", "sites.bed", "S1_R1.fastq.gz", "S2_R2.fastq.gz"):
        assert (tmp_path / name).read_bytes() == (simulated.genome_fasta.parent / name).read_bytes()
    assert again.sites == simulated.sites
    assert other.sites != simulated.sites


def test_sites_are_sorted_apart_and_inside_their_chromosomes(simulated: SimulatedPeaks) -> None:
    sites = simulated.sites

    assert 30 <= len(sites) <= 60
    assert sites == sorted(sites)
    assert {s.chrom for s in sites} == set(simulated.chromosomes)
    for site in sites:
        assert 1_000 <= site.start < site.end <= simulated.chromosomes[site.chrom] - 1_000
    for left, right in pairwise(sites):
        assert left.chrom != right.chrom or left.end < right.start
    assert simulated.genome_size == sum(simulated.chromosomes.values())


def test_the_bed_and_fasta_describe_the_sites_and_genome(simulated: SimulatedPeaks) -> None:
    fasta = gzip.decompress(simulated.genome_fasta.read_bytes()).decode().split(">")[1:]
    sizes = {
        record.split("\n", 1)[0]: len(record.split("\n", 1)[1].replace("\n", ""))
        for record in fasta
    }

    assert sizes == simulated.chromosomes
    assert read_peaks(simulated.sites_bed) == [(s.chrom, s.start, s.end) for s in simulated.sites]
    assert len({s.name for s in simulated.sites}) == len(simulated.sites)


def test_each_pair_file_holds_the_fragments_and_names_pair_up(simulated: SimulatedPeaks) -> None:
    for sample, truth in simulated.samples.items():
        assert truth.fastq_2 is not None
        first, second = fastq_names(truth.fastq_1), fastq_names(truth.fastq_2)

        assert first == second == [f"{sample}.{i}" for i in range(1, 2_001)]
        assert truth.fragments == 2_000
        # Duplicates are part of the fragments, not added to them.
        assert 0 < truth.duplicates < truth.fragments // 10
        assert 0 < sum(truth.fragments_in_sites.values()) < truth.fragments
        assert set(truth.fragments_in_sites) == {s.name for s in simulated.sites}


def test_duplicates_are_repeated_fragments(simulated: SimulatedPeaks) -> None:
    truth = simulated.samples["S1"]
    assert truth.fastq_2 is not None
    first = gzip.decompress(truth.fastq_1.read_bytes()).split(b"\n")[1::4]
    second = gzip.decompress(truth.fastq_2.read_bytes()).split(b"\n")[1::4]
    # A sequencing error can hide a copy, so allow a few fewer repeats than were planted.
    repeats = len(first) - len(set(zip(first, second, strict=True)))

    assert truth.duplicates * 0.7 <= repeats <= truth.duplicates


def test_single_end_writes_only_the_first_reads(tmp_path: Path) -> None:
    simulated = simulate_peaks_experiment(tmp_path, ("S1",), 500, paired=False)
    truth = simulated.samples["S1"]
    reads = gzip.decompress(truth.fastq_1.read_bytes()).split(b"\n")[1::4]

    assert truth.fastq_2 is None
    assert not (tmp_path / "S1_R2.fastq.gz").exists()
    assert len(reads) == 500 and {len(read) for read in reads} == {READ_LENGTH}


def test_sites_are_recovered_by_any_overlap_on_the_same_chromosome() -> None:
    touching = [("chr1", 199, 300), ("chr1", 450, 501)]
    adjacent = [("chr1", 200, 300), ("chr1", 400, 500), ("chr2", 200, 250), ("chr3", 100, 200)]

    assert recovered_sites(touching, SITES) == pytest.approx(2 / 3)
    assert recovered_sites(adjacent, SITES) == 0.0
    assert recovered_sites([("chr1", 0, 1000), ("chr2", 150, 151)], SITES) == 1.0
    assert recovered_sites([], SITES) == 0.0
    assert recovered_sites(touching, []) == 0.0


def test_false_peaks_are_those_that_overlap_no_site() -> None:
    peaks = [("chr1", 120, 180), ("chr1", 200, 500), ("chr2", 0, 101), ("chr3", 100, 200)]

    assert false_peaks(peaks, SITES) == [("chr1", 200, 500), ("chr3", 100, 200)]
    assert false_peaks(peaks, []) == peaks
    assert false_peaks([], SITES) == []


def test_read_peaks_takes_the_first_three_columns(tmp_path: Path) -> None:
    path = tmp_path / "x_peaks.narrowPeak"
    path.write_text("track name=x\nchr1\t10\t20\tp1\t55\t.\t3.1\t9.2\t7.5\t40\nchr2\t5\t9\n")

    assert read_peaks(path) == [("chr1", 10, 20), ("chr2", 5, 9)]


def run(*command: str | Path) -> None:
    """Run a tool; fail the test with its error output if it fails."""
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    assert done.returncode == 0, f"{command[0]}: {done.stderr[-2000:]}"


def shell(command: str, cwd: Path) -> None:
    """Run a pipe of tools in ``cwd``; fail the test with its error output if it fails."""
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"


def call_peaks(simulated: SimulatedPeaks, sample: str, folder: Path) -> Path:
    """fastp, bowtie2, duplicate marking and MACS2 on one paired sample; its narrowPeak."""
    truth = simulated.samples[sample]
    run(
        "fastp",
        "-i",
        truth.fastq_1,
        "-I",
        str(truth.fastq_2),
        "-o",
        f"{folder}/{sample}_1.fq.gz",
        "-O",
        f"{folder}/{sample}_2.fq.gz",
        "-l",
        "30",
        "-j",
        f"{folder}/{sample}.json",
        "-h",
        f"{folder}/{sample}.html",
    )
    shell(
        f"bowtie2 -x idx/genome -1 {sample}_1.fq.gz -2 {sample}_2.fq.gz --reorder -p 2"
        f" | samtools fixmate -m - - | samtools sort -o {sample}.sorted.bam -",
        folder,
    )
    run("samtools", "markdup", folder / f"{sample}.sorted.bam", folder / f"{sample}.bam")
    run("samtools", "index", folder / f"{sample}.bam")
    run(
        "macs2",
        "callpeak",
        "-t",
        folder / f"{sample}.bam",
        "-f",
        "BAMPE",
        "-g",
        str(simulated.genome_size),
        "-q",
        "0.05",
        "--keep-dup",
        "1",
        "-n",
        sample,
        "--outdir",
        folder,
    )
    return folder / f"{sample}_peaks.narrowPeak"


def test_planted_sites_are_recovered_by_bowtie2_and_macs2(tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/install-pipeline-tools as root.")
    simulated = simulate_peaks_experiment(tmp_path / "reads", ("S1", "S2", "S3"), 10_000)
    (tmp_path / "idx").mkdir()
    run("bowtie2-build", "-q", simulated.genome_fasta, tmp_path / "idx" / "genome")

    called = [call_peaks(simulated, sample, tmp_path) for sample in simulated.samples]
    shell(
        "cat S*_peaks.narrowPeak | sort -k1,1 -k2,2n | bedtools merge -i - > consensus.bed",
        tmp_path,
    )

    for path in [*called, tmp_path / "consensus.bed"]:
        peaks = read_peaks(path)
        assert recovered_sites(peaks, simulated.sites) >= 0.9, path.name
        assert len(false_peaks(peaks, simulated.sites)) <= max(2, len(peaks) // 20), path.name
