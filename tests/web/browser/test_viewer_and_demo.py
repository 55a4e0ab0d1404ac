"""The demo experiment's pages, seen by its owner and by a colleague who may only view."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pluto.server.analyses.demo import DEMO_ANALYSES
from pluto.server.lab.demo_cohorts import COHORTS
from tests.web.browser.conftest import USERS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.live
DEMO = "/experiments/PLX140206/"
DEMO_PLOT = DEMO + "plots/386b3bbf-fc86-4071-88c2-6340634cdc62/"


def test_the_demo_pages_as_their_owner(page: Page, live: LiveServer) -> None:
    sign_in(page, "demo@pluto.local", live.demo_password)
    page.goto("/projects/")
    screenshot(page, "03-projects")
    page.click("text=Demo project")
    screenshot(page, "04-project")
    for name, tab in (("05-samples", "samples"), ("06-assay-data", "assay"), ("08-plots", "plots")):
        page.goto(f"{DEMO}?tab={tab}")
        screenshot(page, name)
    page.goto(DEMO_PLOT)
    expect(page.locator("#figure .main-svg").first).to_be_visible(timeout=30_000)
    expect(page.locator("table.data tbody tr")).to_have_count(50)
    screenshot(page, "10-plot-volcano")


def test_the_display_options_redraw_without_a_reload(page: Page, live: LiveServer) -> None:
    sign_in(page, "demo@pluto.local", live.demo_password)
    page.goto(DEMO_PLOT)
    expect(page.locator("#figure .main-svg").first).to_be_visible(timeout=30_000)
    page.fill("#plot-title-input", "Treated against control")
    page.fill("#option-label-genes", "ACTB")
    page.click("text=Save display")

    expect(page.locator("#display-status")).to_have_text("Saved.")
    expect(page.locator("h1")).to_have_text("Treated against control")
    expect(page.locator("#figure .gtitle")).to_have_text("Treated against control", timeout=30_000)


def test_a_viewer_sees_no_edit_controls(
    browser_page_pair: tuple[Page, Page], live: LiveServer
) -> None:
    owner, viewer = browser_page_pair
    sign_in(owner, "demo@pluto.local", live.demo_password)
    owner.goto("/projects/PLXP00286/")
    owner.fill("#member-email", USERS["bob"][0])
    owner.select_option("#member-role", "viewer")
    owner.click("text=Add member")
    expect(owner.locator(".message")).to_contain_text(
        "bob@lab.test was added as a viewer of this project"
    )

    sign_in(viewer, USERS["bob"][0])
    for tab in ("samples", "assay", "plots", "files"):
        viewer.goto(f"{DEMO}?tab={tab}")
        expect(viewer.locator("input[type=file]")).to_have_count(0)
        expect(viewer.locator("input[name=action]")).to_have_count(0)
        expect(viewer.locator("nav.tabs a")).to_have_count(6)
    viewer.goto(DEMO_PLOT)
    expect(viewer.locator("#display-form")).to_have_count(0)
    expect(viewer.locator("#figure .main-svg").first).to_be_visible(timeout=30_000)
    viewer.goto("/projects/PLXP00286/")
    expect(viewer.locator("#new-experiment")).to_have_count(0)
    expect(viewer.locator("select[name=role]")).to_have_count(0)
    screenshot(viewer, "14-viewer-project")


def test_the_experiment_page_at_phone_width(page: Page, live: LiveServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "demo@pluto.local", live.demo_password)
    page.goto(f"{DEMO}?tab=plots")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    screenshot(page, "15-phone-plots")
    width = page.evaluate("document.documentElement.scrollWidth")

    assert width <= 390


def test_the_rerun_form_and_the_experiment_members(page: Page, live: LiveServer) -> None:
    sign_in(page, "demo@pluto.local", live.demo_password)
    page.goto(DEMO_PLOT)
    page.click("#rerun summary")

    expect(page.locator("#analysis-form")).to_be_visible()
    expect(page.locator('input[name="experimental_values"]:checked')).not_to_have_count(0)
    expect(page.locator("table.data td.num").first).to_be_visible()
    screenshot(page, "16-plot-rerun")
    page.goto(f"{DEMO}?tab=settings")
    expect(page.locator("#members-title")).to_be_visible()
    screenshot(page, "17-experiment-members")


DEMO_EXPERIMENTS = ("PLX140206", "PLX140207", "PLX140208")


def test_every_demo_plot_draws_its_figure(page: Page, live: LiveServer) -> None:
    sign_in(page, "demo@pluto.local", live.demo_password)
    drawn = []
    for experiment in DEMO_EXPERIMENTS:
        page.goto(f"/experiments/{experiment}/?tab=plots")
        links = page.locator("a.plot-card")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        for href in hrefs:
            page.goto(str(href))
            expect(page.locator("#figure .main-svg").first).to_be_visible(timeout=30_000)
            kind = (page.locator(".meta span").nth(2).text_content() or "").strip()
            screenshot(page, f"20-{experiment}-{kind.lower().replace(' ', '-')}")
            drawn.append(kind)

    # PLX140206 shows every kind that fits RNA-seq; the peaks and survival cohorts theirs.
    demo_plots = len(DEMO_ANALYSES) + sum(len(cohort.analyses) for cohort in COHORTS)
    assert len(drawn) == len(set(drawn)) == demo_plots, drawn
    assert {"Survival", "Differential binding", "Clustering heatmap"} <= set(drawn)
