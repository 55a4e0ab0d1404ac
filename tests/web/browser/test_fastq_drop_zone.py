"""The FASTQ drop zone of the Workflows tab in Chromium: files paired by name and matched to
sample ids, stray files named, the pairs uploaded and a bulk RNA-seq run started, whose
steps the page follows to the end and whose QC report it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from pluto.server.pipelines.simulator import SimulatedExperiment, simulate_experiment
from tests.web.browser.conftest import USERS, LiveServer, pluto, screenshot, sign_in

pytestmark = pytest.mark.live
SAMPLES = ("S1", "S2")
SAMPLE_TABLE = b"sample_id,condition\nS1,control\nS2,treated\n"
RUN_SECONDS = 240  # the worker's first job loads the analysis libraries before it runs


@pytest.fixture
def simulated(tmp_path: Path, live: LiveServer) -> SimulatedExperiment:
    """Reads of S1 and S2, and their transcriptome added as the mouse reference ``tiny-mouse``."""
    reads = simulate_experiment(tmp_path / "reads", SAMPLES, fragments=4_000)
    pluto(
        live.env,
        "reference",
        "add",
        "--name",
        "tiny-mouse",
        "--organism",
        "mouse",
        "--transcripts",
        str(reads.transcripts_fasta),
        "--gtf",
        str(reads.gtf),
    )
    return reads


def payload(path: Path) -> FilePayload:
    return FilePayload(name=path.name, mimeType="application/gzip", buffer=path.read_bytes())


def experiment_with_samples(page: Page) -> None:
    """A new RNA-seq experiment (mouse) with samples S1 and S2, on its Workflows tab."""
    page.goto("/projects/")
    page.fill("#project-name", "Reads to counts")
    page.click("text=Create project")
    page.fill("#experiment-name", "Liver FASTQ")
    page.select_option("#experiment-type", "rnaseq")
    page.select_option("#experiment-organism", "mouse")
    page.click("text=Create experiment")
    page.click("nav.tabs >> text=Samples")
    page.set_input_files(
        "#sample-file",
        files=[FilePayload(name="samples.csv", mimeType="text/csv", buffer=SAMPLE_TABLE)],
    )
    page.click("form.upload-form button[type=submit]")
    expect(page.locator(".message").first).to_contain_text("version 1 stored")
    page.click("nav.tabs >> text=Workflows")


def test_dropped_fastq_files_are_paired_uploaded_and_run_to_a_qc_report(
    page: Page, simulated: SimulatedExperiment
) -> None:
    sign_in(page, USERS["ada"][0])
    experiment_with_samples(page)
    reads = [payload(path) for t in simulated.samples.values() for path in (t.fastq_1, t.fastq_2)]
    stray = FilePayload(name="X9_R1.fastq.gz", mimeType="application/gzip", buffer=b"x")
    start = page.locator("#fastq-run button[type=submit]")

    page.set_input_files("#fastq-files", files=[*reads[:2], stray])
    problems = page.locator("#fastq-problems")
    expect(problems).to_contain_text("X9_R1.fastq.gz: no sample id")
    expect(problems).to_contain_text("No FASTQ files for S2")
    expect(start).to_be_disabled()

    page.set_input_files("#fastq-files", files=reads)
    rows = page.locator("#fastq-pairs tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("S1_R1.fastq.gz")
    expect(rows.nth(0)).to_contain_text("S1_R2.fastq.gz")
    expect(page.locator("#fastq-problems li")).to_have_count(0)
    screenshot(page, "40-fastq-drop-zone")
    start.click()

    workflow = page.locator("#workflow-list > li").first
    expect(workflow).to_contain_text("Bulk RNA-seq: FASTQ to counts: 2 samples against tiny-mouse")
    expect(workflow).to_have_attribute("data-status", "completed", timeout=RUN_SECONDS * 1000)
    expect(workflow.locator("[data-step] .badge").first).to_have_text("Completed")
    expect(workflow.locator("iframe[sandbox='allow-scripts']")).to_be_visible()
    report = page.frame_locator(".qc-report iframe")
    expect(report.locator("#general_stats")).to_be_visible(timeout=30_000)
    expect(report.locator("#mqc-module-section-fastp")).to_contain_text("fastp")
    expect(report.locator("#mqc-module-section-salmon")).to_contain_text("Salmon")
    screenshot(page, "41-fastq-run-completed")
