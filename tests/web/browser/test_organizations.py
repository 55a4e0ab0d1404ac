"""Users & Teams and the organization switcher in Chromium, as an admin uses them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import USERS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.live

LAB = "Organoid imaging lab"


def test_an_admin_creates_an_organization_invites_and_builds_a_team(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, USERS["ada"][0])
    page.click("nav.mainnav >> text=Users & Teams")
    page.fill("#organization-name", LAB)
    page.click("text=Create organization")
    expect(page.locator("h1")).to_have_text("Users & Teams")
    expect(page.locator(".message").first).to_contain_text(f"{LAB} was created")

    bob = USERS["bob"][0]
    page.fill("#member-email", bob)
    page.select_option("#member-role", "guest")
    page.click("text=Add member")
    expect(page.locator(".message").first).to_have_text(f"{bob} was added as guest.")
    page.locator(".member-list li", has_text=bob).locator("select").select_option("member")
    expect(page.locator(".message").first).to_have_text(f"{bob} is now member.")

    page.fill("#team-name", "Imaging")
    page.click("text=Create team")
    team = page.locator("section.team", has_text="Imaging")
    team.locator("input[type=email]").fill(bob)
    team.locator("text=Add to team").click()
    expect(page.locator("section.team", has_text="Imaging")).to_contain_text(bob)
    expect(page.locator("section.team h3")).to_contain_text("(1 member)")
    screenshot(page, "40-users-and-teams")

    page.locator("section.team", has_text="Imaging").locator("button", has_text="Remove").click()
    expect(page.locator("section.team")).to_contain_text("No one is in this team yet.")

    page.select_option("#organization-switcher", label=LAB)
    expect(page.locator(".message").first).to_have_text(f"You are working in {LAB}.")
    expect(page.locator("#organization-switcher option:checked")).to_have_text(LAB)
    page.select_option("#organization-switcher", label="All organizations")
    expect(page.locator(".message").first).to_contain_text("all your organizations")
