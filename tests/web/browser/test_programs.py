"""Research programs in Chromium: a scientist starts a program from a template, files an
experiment under a dimension and sees the evidence and the remaining gaps."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import USERS, LiveServer, screenshot, sign_in
from tests.web.browser.test_experiment_flow import create_experiment

pytestmark = pytest.mark.live


def test_a_program_shows_evidence_under_its_dimensions_and_the_gaps(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, USERS["ada"][0])
    experiment = create_experiment(page)

    page.click("nav.mainnav >> text=Programs")
    page.fill("#program-name", "Liver fibrosis targets")
    page.select_option("#program-template", "target_validation")
    page.fill("#program-goal", "Pick a target for the fibrosis screen.")
    page.click("#new-program button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Liver fibrosis targets")
    expect(page.locator("#coverage-gaps li")).to_have_count(5)

    page.select_option("#evidence-kind", "experiment")
    page.fill("#evidence-object", experiment)
    page.select_option("#evidence-dimension", "disease_expression")
    page.fill("#evidence-note", "Up in fibrotic hepatocytes.")
    page.click("#add-evidence button[type=submit]")

    expect(page.locator(".message").first).to_contain_text("under Expression in disease")
    dimension = page.locator("#dimension-disease_expression")
    expect(dimension).to_contain_text("Hepatocyte RNA-seq")
    expect(dimension).to_contain_text("Up in fibrotic hepatocytes.")
    expect(page.locator("#coverage-gaps li")).to_have_count(4)
    expect(page.locator("#coverage-gaps")).not_to_contain_text("Expression in disease")
    screenshot(page, "40-research-program")

    dimension.locator("a", has_text="Hepatocyte RNA-seq").click()
    expect(page.locator("#experiment-id")).to_have_text(experiment)
