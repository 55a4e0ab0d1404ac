"""Signing in, and an API token made on the Account page used from the Python SDK."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import pluto
from tests.web.browser.conftest import USERS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.live


def test_a_wrong_password_is_refused_with_a_message(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", USERS["ada"][0])
    page.fill("#id_password", "not my password")
    page.click("button[type=submit]")

    expect(page.locator("#signin-error")).to_have_text(
        "Your email and password did not match. Try again."
    )
    screenshot(page, "01-sign-in-error")


def test_a_token_copied_from_the_page_works_until_it_is_deleted(
    page: Page, live: LiveServer
) -> None:
    sign_in(page, USERS["ada"][0])
    page.fill("#id_name", "laptop scripts")
    page.click("text=+ API token")
    token_input = page.locator("#new-token-value")
    expect(token_input).to_have_attribute("type", "password")
    page.click("button[data-reveal]")
    expect(token_input).to_have_attribute("type", "text")
    key = token_input.input_value()
    screenshot(page, "02-account-new-token")

    client = pluto.Client(live.url, key)
    me = client.me()
    page.locator("tr", has_text="laptop scripts").locator("text=Delete token").click()
    expect(page.locator("h1")).to_contain_text("Delete token “laptop scripts”?")
    page.click("button.danger")
    expect(page.locator(".message")).to_contain_text("Scripts using it stop working now.")

    assert len(key) == 40 and me.email == USERS["ada"][0]
    with pytest.raises(pluto.AuthenticationError):
        client.me()
