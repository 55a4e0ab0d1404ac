"""A peak pipeline from the command line and the R client, against a live server and a real
worker with the real tools: FASTQ uploaded by command, `pluto run-peaks --auto-accept
--wait`, then the published tracks and peaks listed and downloaded from R."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pluto.cli.main import cli
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks, recovered_sites
from tests.conftest import Caller
from tests.live_demo import rscript
from tests.pipelines.rnaseq.test_rnaseq_clients import as_ada, upload_sample

__all__ = ["as_ada"]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]

R_RESULTS = r"""
source(url("%URL%/sdk/pluto.R"))
tracks <- pluto_list_bigwigs("%EXPERIMENT%")
peaks <- pluto_download_peaks("%EXPERIMENT%", dest_dir = "%DEST%")
runs <- pluto_list_pipeline_runs("%EXPERIMENT%")
pipelines <- pluto_list_pipelines("%EXPERIMENT%")
cat(jsonlite::toJSON(list(
  tracks = length(tracks), peaks = I(unname(peaks)),
  run = runs[[1]]$status, pipelines = sapply(pipelines, function(p) p$shortname)
), auto_unbox = TRUE))
"""


def run_peaks_command(env: dict[str, str], experiment: Experiment, samples: Path) -> str:
    """``pluto run-peaks … --auto-accept --wait``; what it printed."""
    args = ["run-peaks", experiment.pluto_id, "--pipeline", "chipseq", "--reference"]
    args += ["tiny-genome", "--samples", str(samples), "--auto-accept", "--wait"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def r_results(live_server: Any, ada: Caller, experiment: Experiment, tmp_path: Path) -> Any:
    """What the R client lists and downloads of the experiment's results."""
    script = tmp_path / "results.R"
    script.write_text(
        R_RESULTS.replace("%URL%", live_server.url)
        .replace("%EXPERIMENT%", experiment.pluto_id)
        .replace("%DEST%", str(tmp_path))
    )
    env = {**os.environ, "PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    env.pop("PLUTO_ORGANIZATION", None)
    done = subprocess.run(
        [rscript(), str(script)], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_chipseq_run_started_by_command_is_published_and_read_from_r(
    live_server: Any,
    ada: Caller,
    as_ada: dict[str, str],
    chipseq: Experiment,
    genome: Reference,
    simulated_peaks: SimulatedPeaks,
    tmp_path: Path,
) -> None:
    entries = [
        upload_sample(as_ada, chipseq, sample, truth.fastq_1, truth.fastq_2)
        for sample, truth in simulated_peaks.samples.items()
        if truth.fastq_2 is not None
    ]
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(entries))

    printed = run_peaks_command(as_ada, chipseq, samples)

    assert " completed " in printed.splitlines()[0]
    assert "  S1: 30000 fragments in, " in printed and "FRiP" in printed
    assert "Published as version 1 of the assay data." in printed
    seen = r_results(live_server, ada, chipseq, tmp_path)
    assert (seen["tracks"], seen["run"]) == (3, "completed")
    assert seen["pipelines"] == ["assay_import", "chipseq"]
    lines = Path(seen["peaks"][0]).read_text().splitlines()
    peaks = [(row[0], int(row[1]), int(row[2])) for row in (line.split("\t") for line in lines)]
    assert recovered_sites(peaks, simulated_peaks.sites) >= 0.9
