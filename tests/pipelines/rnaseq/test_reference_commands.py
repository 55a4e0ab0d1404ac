"""``pluto reference add`` and ``pluto reference list``, run as the real executable."""

from __future__ import annotations

from pluto.server.pipelines.simulator import SimulatedExperiment
from tests.cli.test_admin_commands import Pluto, pluto  # noqa: F401  (the fixture)


def test_a_reference_is_indexed_and_listed_ready(
    pluto: Pluto,  # noqa: F811
    simulated: SimulatedExperiment,
) -> None:
    files = ["--transcripts", str(simulated.transcripts_fasta), "--gtf", str(simulated.gtf)]

    added = pluto("reference", "add", "--name", "tiny", "--organism", "human", *files)
    listed = pluto("reference", "list")

    assert added.returncode == 0, added.stderr
    assert "Added tiny (human): " in added.stdout and "150 genes" in added.stdout
    assert "salmon 1." in added.stdout
    assert listed.stdout.startswith("tiny  human  transcriptome  ready  ")


def test_refused_references_say_why_and_a_failed_one_is_listed_failed(
    pluto: Pluto,  # noqa: F811
    simulated: SimulatedExperiment,
) -> None:
    gtf = str(simulated.gtf)
    fasta = str(simulated.transcripts_fasta)

    unknown = pluto(
        "reference",
        "add",
        "--name",
        "x",
        "--organism",
        "unicorn",
        "--transcripts",
        fasta,
        "--gtf",
        gtf,
    )
    swapped = pluto(
        "reference",
        "add",
        "--name",
        "swapped",
        "--organism",
        "human",
        "--transcripts",
        gtf,
        "--gtf",
        gtf,
    )
    listed = pluto("reference", "list")

    assert unknown.returncode == 1 and "'organism' 'unicorn' is not known" in unknown.stderr
    assert swapped.returncode == 1
    assert "holds no FASTA record" in swapped.stderr
    assert listed.stdout.startswith("swapped  human  transcriptome  failed")
