"""A scientist's day without a script: a project, an experiment, its tables (a bad file
first), a PCA that a worker runs while the page waits, Methods, and an attachment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.web.browser.conftest import USERS, screenshot, sign_in
from tests.web.conftest import SAMPLE_CSV, counts_csv

pytestmark = pytest.mark.live
FIGURE_SECONDS = 90


def create_experiment(page: Page) -> str:
    """A new project and experiment through their forms; the experiment's PLX id."""
    page.goto("/projects/")
    page.fill("#project-name", "Liver regeneration")
    page.click("text=Create project")
    expect(page.locator("h1")).to_have_text("Liver regeneration")
    page.fill("#experiment-name", "Hepatocyte RNA-seq")
    page.select_option("#experiment-organism", "mouse")
    page.click("text=Create experiment")
    expect(page.locator("h1")).to_have_text("Hepatocyte RNA-seq")
    return page.locator("#experiment-id").inner_text()


def upload_table(page: Page, tab: str, kind: str, name: str, body: bytes) -> None:
    """Choose a file in a tab's upload form and send it."""
    page.click(f"nav.tabs >> text={tab}")
    page.set_input_files(
        f"#{kind}-file", files=[FilePayload(name=name, mimeType="text/csv", buffer=body)]
    )
    page.click("form.upload-form button[type=submit]")


def run_pca(page: Page) -> str:
    """Start a PCA from the New analysis tab; the plot page's URL."""
    page.click("nav.tabs >> text=New analysis")
    page.click("a.choice >> text=Principal components")
    page.select_option("#group-column", "condition")
    screenshot(page, "09-new-analysis-form")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/plots/[0-9a-f-]{36}/$"))
    return page.url


def test_from_a_new_experiment_to_a_pca_plot_and_an_attachment(page: Page, tmp_path: Path) -> None:
    sign_in(page, USERS["ada"][0])
    plx = create_experiment(page)
    upload_table(page, "Samples", "sample", "samples.csv", SAMPLE_CSV)
    expect(page.locator(".message")).to_contain_text("Sample data: version 1 stored, 6 rows.")
    expect(page.locator("table.data tbody tr")).to_have_count(6)

    broken = counts_csv().replace(b"\nGENE3,", b"\nGENE3,lots", 1)
    upload_table(page, "Assay data", "assay", "counts.csv", broken)
    problems = page.locator("#assay-errors")
    expect(problems).to_contain_text("The file was not stored.")
    expect(problems.locator("td[data-label=Row]").first).to_have_text("4")
    expect(problems.locator("td[data-label=Column]").first).to_have_text("S1")
    screenshot(page, "07-assay-upload-error")
    upload_table(page, "Assay data", "assay", "counts.csv", counts_csv())
    expect(page.locator(".message")).to_contain_text("Assay data: version 1 stored, 60 rows.")
    expect(page.locator(".stat b").first).to_have_text("60")

    plot_url = run_pca(page)
    expect(page.locator("#figure .main-svg").first).to_be_visible(timeout=FIGURE_SECONDS * 1000)
    expect(page.locator("#plot-status")).to_have_text("complete")
    screenshot(page, "12-plot-pca")
    check_methods(page, plx, plot_url.rstrip("/").rsplit("/", 1)[1])
    attach_and_download(page, tmp_path)


def check_methods(page: Page, plx: str, plot_id: str) -> None:
    """The Methods window names this experiment and plot in every snippet."""
    page.click("text=Methods & code")
    dialog = page.locator("#methods-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#plot-id")).to_have_value(plot_id)
    r_code = page.locator("#snippet-r").inner_text()
    python_code = page.locator("#snippet-python").inner_text()
    curl_code = page.locator("#snippet-curl").inner_text()
    screenshot(page, "11-methods")
    page.click("[data-close-dialog]")
    expect(dialog).to_be_hidden()

    assert f'pluto_read("{plx}", "results", plot_id = "{plot_id}")' in r_code
    assert 'source(url("http://127.0.0.1:' in r_code
    assert f'pluto.read("{plx}", "results", "{plot_id}")' in python_code
    assert f"/lab/experiments/{plx}/plots/{plot_id}/data/" in curl_code


def attach_and_download(page: Page, tmp_path: Path) -> None:
    """A file of two upload parts, with its progress bar, then downloaded back."""
    body = bytes(range(256)) * (9 * 4096)  # 9 MiB: two parts of the resumable upload
    page.click("nav.crumbs >> a >> nth=2")
    page.click("nav.tabs >> text=Files")
    page.set_input_files(
        "#attachment-file",
        files=[FilePayload(name="run-notes.bin", mimeType="application/octet-stream", buffer=body)],
    )
    page.click("#file-upload button[type=submit]")
    row = page.locator("table.list tr", has_text="run-notes.bin")
    expect(row).to_be_visible(timeout=30_000)
    screenshot(page, "13-files")
    with page.expect_download() as download:
        row.locator("a.button", has_text="Download").click()

    assert Path(download.value.path()).read_bytes() == body
