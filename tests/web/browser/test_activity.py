"""The Activity tab in Chromium: a scientist's changes listed newest first, and older ones a
link away."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import FilePayload, Page, expect

from tests.web.browser.conftest import USERS, LiveServer, screenshot, sign_in
from tests.web.browser.test_experiment_flow import create_experiment
from tests.web.conftest import SAMPLE_CSV

pytestmark = pytest.mark.live


def new_token(page: Page) -> str:
    """An API token made on the Account page."""
    page.goto("/account/")
    page.fill("#id_name", "activity script")
    page.click("text=+ API token")
    page.click("button[data-reveal]")
    return page.locator("#new-token-value").input_value()


def test_the_activity_tab_shows_changes_newest_first_and_pages_to_older_ones(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, USERS["ada"][0])
    key = new_token(page)
    experiment = create_experiment(page)
    page.click("nav.tabs >> text=Samples")
    page.set_input_files(
        "#sample-file",
        files=[FilePayload(name="samples.csv", mimeType="text/csv", buffer=SAMPLE_CSV)],
    )
    page.click("form.upload-form button[type=submit]")
    expect(page.locator(".message").first).to_be_visible()

    page.click("nav.tabs >> text=Activity")
    items = page.locator("#activity-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Uploaded samples.csv as version 1 of the sample data.")
    expect(items.nth(0)).to_contain_text("Ada Lovelace")
    expect(items.nth(1)).to_contain_text("Created the experiment “Hepatocyte RNA-seq”.")
    screenshot(page, "30-experiment-activity")

    api = f"{live.url}/lab/experiments/{experiment}/"
    headers = {"Authorization": f"Token {key}"}
    for number in range(100):
        edited = requests.patch(api, json={"name": f"Hepatocytes {number}"}, headers=headers)
        assert edited.status_code == 200, edited.text
    page.reload()

    expect(items).to_have_count(100)
    expect(items.nth(0)).to_contain_text("Changed its name.")
    page.click("a[rel=next] >> text=Older")
    expect(items).to_have_count(2)
    expect(items.nth(1)).to_contain_text("Created the experiment")
    expect(page.locator("a[rel=prev]")).to_be_visible()
    expect(page.locator("a[rel=next]")).to_have_count(0)
    screenshot(page, "31-experiment-activity-older")
