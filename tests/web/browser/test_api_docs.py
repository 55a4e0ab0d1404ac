"""The API docs page in a browser: the token header reads right, and "Try it out" works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import USERS, screenshot, sign_in

pytestmark = pytest.mark.live

ME = "#operations-accounts-pluto_server_accounts_api_me"


def test_a_signed_in_user_tries_out_get_me_with_their_session(page: Page) -> None:
    sign_in(page, USERS["ada"][0])
    page.goto("/lab/docs/")

    expect(page.locator(".info .description")).to_contain_text("Authorization: Token <key>")
    page.click(f"{ME} .opblock-summary")
    page.click(f"{ME} .try-out__btn")
    page.click(f"{ME} .execute")

    status = page.locator(f"{ME} .live-responses-table tbody td.response-col_status").first
    expect(status).to_have_text("200")
    expect(page.locator(f"{ME} .live-responses-table .microlight").first).to_contain_text(
        USERS["ada"][0]
    )
    screenshot(page, "30-api-docs-try-it-out")
