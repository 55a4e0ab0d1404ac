"""The demo's FASTQ experiments, each with a finished, accepted pipeline run: bulk RNA-seq
(:mod:`.demo`) and ChIP-seq (:mod:`.peaks_demo`)."""

from __future__ import annotations

import shutil

from pluto.server.accounts.models import User
from pluto.server.lab.models import Experiment, Project
from pluto.server.pipelines.demo import ensure_pipeline_demo
from pluto.server.pipelines.peaks_demo import ensure_peaks_demo

TOOLS = ("fastp", "salmon", "bowtie2", "samtools", "macs2", "bamCoverage", "bedtools")


def missing_tools() -> list[str]:
    """The pipeline tools that are not on ``PATH``."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def ensure_pipeline_demos(user: User, project: Project) -> list[tuple[Experiment, str]]:
    """Both FASTQ experiments with their runs (made when missing), and which pipeline each
    ran."""
    return [
        (ensure_pipeline_demo(user, project), "bulk RNA-seq"),
        (ensure_peaks_demo(user, project), "ChIP-seq"),
    ]
