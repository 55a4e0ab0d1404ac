"""The SDK and ``pluto read`` print the R client's progress when they page the demo's assay data.

The demo experiment PLX140206 has 32,544 genes: more than three pages of 10,000 rows, so the
read shows the paging line and one line per later batch, exactly as Pluto's help page does.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from pluto.client.client import Client
from tests.live_demo import BIN, DEMO_EXPERIMENT, LiveDemo, live_demo

pytestmark = pytest.mark.live

HELP_PAGE_PROGRESS = [
    "Paginating API calls to retrieve all 32544 rows in the assay data in batches of 10000 rows...",
    "Fetching rows 10001 to 20001...",
    "Fetching rows 20001 to 30001...",
    "Fetching rows 30001 to 32544...",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The demo server, shared by the module's tests."""
    with live_demo(tmp_path_factory.mktemp("progress-demo")) as server:
        yield server


def test_the_sdk_prints_the_help_page_s_progress_for_the_demo_assay_data(
    demo: LiveDemo, capsys: pytest.CaptureFixture[str]
) -> None:
    with Client(demo.url, demo.token) as client:
        frame = client.read(DEMO_EXPERIMENT, "assay")

    assert len(frame) == 32544
    assert capsys.readouterr().err.splitlines() == HELP_PAGE_PROGRESS


def test_pluto_read_prints_the_help_page_s_progress_for_the_demo_assay_data(
    demo: LiveDemo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("progress-cli")
    done = subprocess.run(
        [str(BIN / "pluto"), "read", DEMO_EXPERIMENT, "assay", "-o", "counts.parquet"],
        env=demo.client_env(work),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [*HELP_PAGE_PROGRESS, "Wrote 32544 rows to counts.parquet."]
