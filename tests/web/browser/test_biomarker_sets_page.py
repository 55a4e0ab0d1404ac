"""A scientist manages a biomarker set in Chromium: create, add, upload a CSV, archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import USERS, screenshot, sign_in

pytestmark = pytest.mark.live


def test_a_biomarker_set_is_built_from_a_name_and_a_csv_then_archived(
    page: Page, tmp_path: Path
) -> None:
    sign_in(page, USERS["ada"][0])
    page.click("nav >> text=Sets")
    expect(page.locator("h1")).to_have_text("Biomarker sets")
    page.fill("#set-name", "Hypoxia genes")
    page.select_option("#set-target-type", "gene")
    page.fill("#set-organism", "human")
    page.click("text=Create biomarker set")
    expect(page.locator(".message")).to_contain_text("“Hypoxia genes” was created")
    expect(page.locator("#gene-set-name")).to_contain_text("biomarker_set:")

    page.fill("#biomarker-name", "HIF1A")
    page.click("button:has-text('Add')")
    expect(page.locator(".message")).to_contain_text("HIF1A was added.")

    csv = tmp_path / "genes.csv"
    csv.write_text("name\nVEGFA\nEPAS1\nHIF1A\n")
    page.set_input_files("#biomarker-csv", str(csv))
    page.click("button:has-text('Upload')")
    expect(page.locator(".message")).to_contain_text("Added 2 biomarkers, skipped 1")
    expect(page.locator("#biomarkers tbody tr")).to_have_count(3)
    expect(page.locator("#biomarker-total")).to_have_text("3")

    bad = tmp_path / "bad.csv"
    bad.write_text("name,description\nTP53,x\n,no name\n")
    page.set_input_files("#biomarker-csv", str(bad))
    page.click("button:has-text('Upload')")
    expect(page.locator("#biomarker-csv-error")).to_contain_text("Row 3")
    screenshot(page, "biomarker-set-page")

    with page.expect_download() as download:
        page.click("#download-csv")
    saved = tmp_path / "out.csv"
    download.value.save_as(saved)
    assert saved.read_text().splitlines()[1:] == ["HIF1A,,", "VEGFA,,", "EPAS1,,"]

    page.click("#archive-set")
    expect(page.locator(".message")).to_contain_text("was archived")
    expect(page.locator("text=No biomarker sets yet")).to_be_visible()


def test_a_biomodel_set_is_declared_and_filled_from_a_csv(page: Page, tmp_path: Path) -> None:
    sign_in(page, USERS["ada"][0])
    page.goto("/biomodel-sets/")
    page.fill("#table-name", "Cell lines")
    page.fill("#table-columns", "cell_line, doubling_hours:number, is_primary:boolean")
    page.click("text=Create biomodel set")
    expect(page.locator(".message")).to_contain_text("“Cell lines” was created")
    lines = tmp_path / "lines.csv"
    lines.write_text("cell_line,doubling_hours,is_primary\nHeLa,23,no\nA549,22.5,no\n")
    page.set_input_files("#biomodel-csv", str(lines))
    page.click("button:has-text('Upload')")
    expect(page.locator(".message")).to_contain_text("Added 2 rows.")
    expect(page.locator("#biomodels tbody tr")).to_have_count(2)
    bad = tmp_path / "bad.csv"
    bad.write_text("cell_line,is_primary\nMCF7,maybe\n")
    page.set_input_files("#biomodel-csv", str(bad))
    page.click("button:has-text('Upload')")
    expect(page.locator("#biomodel-csv-error")).to_contain_text("Row 2, column 'is_primary'")
    screenshot(page, "biomodel-set-page")
