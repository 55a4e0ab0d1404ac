"""Pluto's R client, loaded from a live demo server with ``source(url(...))`` and run by Rscript.

One R script does everything the tests check and writes what it saw to a JSON file, so R and
the server start once for the whole module.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from tests.live_demo import (
    DEMO_EXPERIMENT,
    DEMO_PLOT,
    DEMO_PROJECT,
    LiveDemo,
    free_port,
    live_demo,
    rscript,
)

pytestmark = pytest.mark.live

RESULTS_COLUMNS = [
    "Gene_Symbol",
    "Average_Expression",
    "Log2_Fold_Change",
    "P_Value",
    "Adj_P_Value",
]

# Everything below runs in one R session; `seen` collects what the tests look at. The
# %NAME% markers are filled in by render().
R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
library(jsonlite)
seen <- list(default_url = pluto_server_url())
messages <- list()
keep_messages <- function(name, expr) {
  messages[[name]] <<- I(character(0))
  withCallingHandlers(expr, message = function(m) {
    messages[[name]] <<- I(c(messages[[name]], sub("\n$", "", conditionMessage(m))))
  })
}
describe <- function(frame, columns) {
  list(
    rows = nrow(frame),
    names = I(names(frame)),
    classes = lapply(frame[columns], function(column) class(column)[1]),
    missing = sum(is.na(frame))
  )
}
error_of <- function(expr) tryCatch({ expr; "no error" }, error = conditionMessage)

sample_data <- keep_messages("sample", pluto_read("%EXPERIMENT%", "sample"))
seen$sample <- describe(sample_data, c("sample_id"))
assay_data <- keep_messages("assay", pluto_read("%EXPERIMENT%", "assay"))
seen$assay <- describe(assay_data, c("gene_symbol", "control_1"))
seen$assay$duplicated_genes <- anyDuplicated(assay_data$gene_symbol)
results <- keep_messages(
  "results", pluto_read("%EXPERIMENT%", "results", plot_id = "%PLOT%")
)
seen$results <- describe(results, names(results))

first_rows <- keep_messages("limited", pluto_read("%EXPERIMENT%", "assay", limit = 10002))
seen$messages <- messages
seen$limited_rows <- nrow(first_rows)
seen$pages_line_up <- identical(first_rows[9999:10002, ], assay_data[9999:10002, ])

experiment <- pluto_get_experiment("%EXPERIMENT%")
seen$experiment <- list(pluto_id = experiment$pluto_id, project = experiment$project$pluto_id)
seen$project_name <- pluto_get_project("%PROJECT%")$name
path <- pluto_download("%EXPERIMENT%", "sample", dest = file.path("%WORK%", "samples.csv"))
seen$download <- list(path = path, rows = nrow(read.csv(path)))

seen$no_plot_error <- error_of(pluto_read("%EXPERIMENT%", "results"))
seen$unknown_error <- error_of(pluto_read("PLX999999", "sample"))
# Nothing listens at this URL: any request would fail with "Could not reach".
Sys.setenv(PLUTO_API_URL = "http://127.0.0.1:%CLOSED_PORT%")
Sys.setenv(PLUTO_API_TOKEN = "%MALFORMED%")
seen$malformed_token_error <- error_of(pluto_read("%EXPERIMENT%", "sample"))
Sys.unsetenv("PLUTO_API_TOKEN")
seen$missing_token_error <- error_of(pluto_read("%EXPERIMENT%", "sample"))
Sys.setenv(PLUTO_API_TOKEN = "%WELL_FORMED%")
seen$unreachable_error <- error_of(pluto_read("%EXPERIMENT%", "sample"))

rows_page <- jsonlite::fromJSON(
  '{"count": 2, "headers": ["id", "x", "y"],
    "items": [{"id": "7", "x": 1.5, "y": null}, {"id": "8", "x": null, "y": 2}]}',
  simplifyVector = TRUE, simplifyMatrix = FALSE
)
columns_page <- jsonlite::fromJSON(
  '{"count": 2, "headers": ["id", "x"], "items": [["7", null], [null, 2.5]]}',
  simplifyVector = TRUE, simplifyMatrix = FALSE
)
seen$row_objects <- describe(pluto_page_frame(rows_page), c("id", "x", "y"))
seen$column_major <- describe(pluto_page_frame(columns_page), c("id", "x"))

writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, null = "null"), "%WORK%/seen.json")
"""


def render(template: str, **values: object) -> str:
    """The R script with each ``%NAME%`` replaced by its value."""
    for name, value in values.items():
        template = template.replace(f"%{name.upper()}%", str(value))
    return template


@dataclass
class RRun:
    """What the R script saw, and what it printed."""

    seen: dict[str, Any]
    stderr: str
    demo: LiveDemo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The demo server, shared by the module's tests."""
    rscript()  # fail at once, before the server starts, when R is missing
    with live_demo(tmp_path_factory.mktemp("r-demo")) as server:
        yield server


@pytest.fixture(scope="module")
def r_run(demo: LiveDemo, tmp_path_factory: pytest.TempPathFactory) -> RRun:
    """Run the R script against the demo server; fail with R's output if it breaks."""
    work = tmp_path_factory.mktemp("r-work")
    script = work / "check.R"
    script.write_text(
        render(
            R_SCRIPT,
            url=demo.url,
            experiment=DEMO_EXPERIMENT,
            project=DEMO_PROJECT,
            plot=DEMO_PLOT,
            work=work,
            closed_port=free_port(),
            malformed="plut-" + "a" * 35,
            well_formed="plut" + "a" * 36,
        ),
        encoding="utf-8",
    )
    env = demo.client_env(work)
    del env["PLUTO_API_URL"]  # the default must be the URL the server filled in
    done = subprocess.run(
        [rscript(), "--vanilla", str(script)],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"Rscript failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    seen = json.loads((work / "seen.json").read_text(encoding="utf-8"))
    return RRun(seen=seen, stderr=done.stderr, demo=demo)


def test_r_is_installed() -> None:
    assert Path(rscript()).exists()


def test_the_server_serves_the_client_as_text_with_its_own_url(demo: LiveDemo) -> None:
    plain = requests.get(f"{demo.url}/sdk/pluto.R", timeout=10, allow_redirects=False)
    slash = requests.get(f"{demo.url}/sdk/pluto.R/", timeout=10, allow_redirects=False)

    assert plain.status_code == slash.status_code == 200
    assert plain.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert f'pluto_served_by <- "{demo.url}"' in plain.text
    assert "__PLUTO_SERVER_URL__" not in plain.text
    assert "pluto_read <- function(experiment_id, data_type, plot_id = NULL, limit = NULL)" in (
        plain.text
    )


def test_the_served_default_is_the_public_url_when_one_is_set(
    client: Client, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://pluto.example.org"

    response = client.get("/sdk/pluto.R")

    assert response.status_code == 200
    assert 'pluto_served_by <- "https://pluto.example.org"' in response.content.decode()
    assert client.post("/sdk/pluto.R").status_code == 405


def test_the_default_server_is_the_one_the_client_came_from(r_run: RRun) -> None:
    assert r_run.seen["default_url"] == r_run.demo.url


def test_sample_data_has_one_row_per_sample(r_run: RRun) -> None:
    sample = r_run.seen["sample"]

    assert sample["rows"] == 12
    assert sample["names"][0] == "sample_id"
    assert sample["classes"] == {"sample_id": "character"}


def test_assay_data_is_read_in_pages_with_no_row_twice(r_run: RRun) -> None:
    assay = r_run.seen["assay"]

    assert assay["rows"] == 32544
    assert assay["names"][:2] == ["gene_symbol", "control_1"]
    assert len(assay["names"]) == 13
    assert assay["classes"]["gene_symbol"] == "character"
    assert assay["classes"]["control_1"] in ("integer", "numeric")
    assert assay["duplicated_genes"] == 0


def test_results_of_the_volcano_plot_are_the_differential_expression_table(r_run: RRun) -> None:
    results = r_run.seen["results"]

    assert results["rows"] == 16954
    assert results["names"] == RESULTS_COLUMNS
    assert results["classes"]["Gene_Symbol"] == "character"
    assert {results["classes"][c] for c in RESULTS_COLUMNS[1:]} == {"numeric"}
    assert results["missing"] == 0


def test_paging_the_demo_assay_data_prints_the_help_page_s_progress(r_run: RRun) -> None:
    expected = [
        "Paginating API calls to retrieve all 32544 rows in the assay data "
        "in batches of 10000 rows...",
        "Fetching rows 10001 to 20001...",
        "Fetching rows 20001 to 30001...",
        "Fetching rows 30001 to 32544...",
    ]

    assert r_run.seen["messages"]["assay"] == expected
    assert "\n".join(expected) in r_run.stderr


def test_progress_messages_are_those_of_pluto_s_r_package(r_run: RRun) -> None:
    messages = r_run.seen["messages"]

    assert messages["sample"] == ["All 12 rows of the sample data were fetched."]
    assert messages["results"] == [
        "Paginating API calls to retrieve all 16954 rows in the results "
        "in batches of 10000 rows...",
        "Fetching rows 10001 to 16954...",
    ]
    assert messages["limited"] == [
        "Note: Data has 32544 rows but only 10002 will be fetched due to the provided "
        '"limit" parameter.\nIncrease or remove the "limit" parameter if more rows are desired.'
    ]


def test_limit_caps_the_rows_and_pages_start_at_0_based_offsets(r_run: RRun) -> None:
    assert r_run.seen["limited_rows"] == 10002
    assert r_run.seen["pages_line_up"] is True


def test_objects_come_back_as_lists(r_run: RRun) -> None:
    assert r_run.seen["experiment"] == {"pluto_id": DEMO_EXPERIMENT, "project": DEMO_PROJECT}
    assert r_run.seen["project_name"] == "Demo project"


def test_download_saves_the_csv_and_returns_its_path(r_run: RRun) -> None:
    download = r_run.seen["download"]

    assert download["path"].endswith("samples.csv")
    assert download["rows"] == 12


def test_results_without_a_plot_id_are_refused(r_run: RRun) -> None:
    assert "needs plot_id" in r_run.seen["no_plot_error"]


def test_api_errors_carry_status_code_and_message(r_run: RRun) -> None:
    assert r_run.seen["unknown_error"].startswith("Pluto API error 404 (not_found): ")
    assert "PLX999999" in r_run.seen["unknown_error"]


def test_a_malformed_token_is_refused_before_any_request(r_run: RRun) -> None:
    error = r_run.seen["malformed_token_error"]

    assert "exactly 40 letters and digits" in error
    assert "Could not reach" not in error
    assert "+ API token" in error
    assert "Could not reach the Pluto server" in r_run.seen["unreachable_error"]


def test_a_missing_token_says_how_to_create_one(r_run: RRun) -> None:
    error = r_run.seen["missing_token_error"]

    assert error.startswith("PLUTO_API_TOKEN is not set.")
    assert "+ API token" in error and "pluto token create" in error


def test_json_null_becomes_na_and_types_survive_in_both_layouts(r_run: RRun) -> None:
    rows, columns = r_run.seen["row_objects"], r_run.seen["column_major"]

    assert rows["names"] == ["id", "x", "y"] and rows["rows"] == 2 and rows["missing"] == 2
    assert rows["classes"] == {"id": "character", "x": "numeric", "y": "integer"}
    assert columns["names"] == ["id", "x"] and columns["rows"] == 2 and columns["missing"] == 2
    assert columns["classes"] == {"id": "character", "x": "numeric"}
