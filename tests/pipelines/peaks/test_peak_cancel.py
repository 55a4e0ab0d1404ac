"""Cancelling a peak pipeline run while a real worker runs it: bowtie2 and the samtools it
pipes into, or MACS2, are killed within seconds, and nothing reaches the experiment."""

from __future__ import annotations

import subprocess

import pytest

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks
from tests.analyses.processes import alive, wait_for
from tests.conftest import Caller
from tests.pipelines.conftest import assay_versions
from tests.pipelines.peaks.conftest import GENOME, start_peaks, upload_reads
from tests.pipelines.rnaseq.test_run_cancel import cancel, tools_named

# /proc/<pid>/comm: bowtie2 is a wrapper around bowtie2-align-s; MACS2 is a Python script.
TOOL_PROCESSES = {"bowtie2": ("bowtie2-align-s", "samtools"), "macs2": ("macs2",)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tool", sorted(TOOL_PROCESSES))
def test_cancel_kills_the_running_tools_of_a_peak_run(
    tool: str,
    ada: Caller,
    chipseq: Experiment,
    genome: Reference,
    simulated_peaks: SimulatedPeaks,
    worker: subprocess.Popen[bytes],
) -> None:
    body = {"reference": GENOME, "samples": upload_reads(ada, chipseq, simulated_peaks)}
    started = start_peaks(ada, chipseq, "chipseq", body)
    first, *partners = TOOL_PROCESSES[tool]
    (pid,) = wait_for(lambda: tools_named(worker, first), timeout=180, interval=0.02)
    piped = [p for name in partners for p in tools_named(worker, name)]
    assert bool(piped) == bool(partners)  # samtools fixmate and sort read bowtie2's output

    answer = cancel(ada, chipseq, started.data["uuid"])

    assert answer.status_code == 200, answer.data
    assert answer.data["status"] == "canceled"
    wait_for(lambda: not any(alive(p) for p in [pid, *piped]), timeout=5, interval=0.05)
    assert assay_versions(ada, chipseq) == []
    assert not ExperimentFile.objects.filter(experiment=chipseq, data_type="bam").exists()
