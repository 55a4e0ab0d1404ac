"""Issue 6, quality: how long the server takes to render the demo experiment's web pages.

A ``requests.Session`` signs in as the demo user (its password is in the data directory's
``demo-password``): GET the sign-in page for the CSRF cookie and token, POST the form. Each
page is then timed in turns with ``GET lab/me/`` (a token request with no work behind it:
the fixed cost of any request), medians over the rounds. Over loopback the time to the
last byte is the server's rendering time plus that fixed cost. A page that answers 404
is not built yet and prints "not available".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

import requests

from bench.harness import Context, Row, Target, benchmark
from bench.rows import info_row, ms, time_row
from bench.server import DEMO_EMAIL, RunningServer
from bench.tables import DEMO_EXPERIMENT, checked
from bench.timing import interleaved_medians

DEMO_PLOT = "386b3bbf-fc86-4071-88c2-6340634cdc62"
EXPERIMENT_PAGE = f"/experiments/{DEMO_EXPERIMENT}/"
PAGES = (
    ("experiment page, Samples tab", EXPERIMENT_PAGE),
    ("experiment page, Assay data tab", f"{EXPERIMENT_PAGE}?tab=assay"),
    ("experiment page, Plots tab", f"{EXPERIMENT_PAGE}?tab=plots"),
    ("experiment page, Files tab", f"{EXPERIMENT_PAGE}?tab=files"),
    ("experiment page, New analysis tab", f"{EXPERIMENT_PAGE}?tab=analysis"),
    ("plot page of the demo volcano plot", f"{EXPERIMENT_PAGE}plots/{DEMO_PLOT}/"),
)
SHORT_PLOT = f"{DEMO_PLOT[:8]}…"
SIGN_IN = "/accounts/login/"
PASSWORD_FILE = "demo-password"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNDER_300_MS = Target(300, " ms")
FIXED_COST = "GET lab/me/ (fixed cost)"


@dataclass(frozen=True)
class Page:
    """One web page: what to call it and its path."""

    label: str
    path: str

    def figure(self) -> str:
        """``experiment page, Plots tab: GET /experiments/PLX140206/?tab=plots``."""
        return f"{self.label}: GET {self.path.replace(DEMO_PLOT, SHORT_PLOT)}"


def signed_in(server: RunningServer) -> requests.Session:
    """A session signed in as the demo user through the sign-in form."""
    session, url = requests.Session(), f"{server.url}{SIGN_IN}"
    token = CSRF_FIELD.search(checked(session.get(url)).text)
    if token is None:
        raise RuntimeError(f"The sign-in page at {url} has no CSRF token.")
    password = (server.data_dir / PASSWORD_FILE).read_text().strip()
    form = {
        "username": DEMO_EMAIL,
        "password": password,
        "csrfmiddlewaretoken": token.group(1),
        "next": "/",
    }
    answer = checked(session.post(url, data=form, headers={"Referer": url}))
    if SIGN_IN in answer.url:
        raise RuntimeError("Signing in as the demo user failed: the form came back.")
    return session


def rendered(session: requests.Session, url: str) -> bytes:
    """A page's HTML; fails unless the server answers it with 200."""
    answer = session.get(url, allow_redirects=False)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {url}: {answer.status_code} (expected 200).")
    return answer.content


def available(session: requests.Session, server: RunningServer, page: Page) -> bool:
    """Whether the page exists (False on 404); fails on any other error or a wrong page."""
    answer = session.get(f"{server.url}{page.path}", allow_redirects=False)
    if answer.status_code == 404:
        return False
    if answer.status_code != 200 or DEMO_EXPERIMENT not in answer.text:
        raise RuntimeError(f"GET {page.path}: {answer.status_code}, not the demo's page.")
    return True


@benchmark("page_render", "server render time of the demo experiment's web pages (issue 6)")
def page_render(context: Context) -> list[Row]:
    """Time each page that exists in turns with ``GET lab/me/``; medians against 300 ms."""
    server, session = context.server, signed_in(context.server)
    pages = [Page(label, path) for label, path in PAGES]
    found = [page for page in pages if available(session, server, page)]
    me = partial(rendered, server.session(), server.api("lab/me/"))
    calls = [me, *(partial(rendered, session, f"{server.url}{page.path}") for page in found)]
    rounds = 3 if context.quick else 15
    fixed, *timed = interleaved_medians(calls, rounds, warmup=1 if context.quick else 2)
    seconds = dict(zip((page.path for page in found), timed, strict=True))
    rows = [info_row(f"{FIXED_COST} (median of {rounds})", ms(fixed), "a token API request")]
    for page in pages:
        if page.path not in seconds:
            rows.append(info_row(page.figure(), "not available", "404: not built yet"))
            continue
        rows.append(time_row(page.figure(), seconds[page.path], FIXED_COST, fixed, UNDER_300_MS))
    return rows
