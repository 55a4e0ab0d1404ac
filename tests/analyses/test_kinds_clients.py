"""The results of over-representation and differential binding read by Pluto's clients from
a live server: the published ``plutobio`` package (get_plot_data) and Pluto's R client
(pluto_read), which reads column-major pages (differential binding) and row pages
(over-representation) alike."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plutobio import PlutoClient

from pluto.server.analyses.compute.differential_binding import COLUMNS as DB_COLUMNS
from pluto.server.analyses.compute.over_representation import COLUMNS as ORA_COLUMNS
from pluto.server.lab.demo_peaks import generate_peaks_experiment
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import DE_PARAMETERS, DE_REQUEST, CountData, start_and_run
from tests.analyses.test_differential_binding import upload_peaks
from tests.analyses.test_gene_set_enrichment import gmt_of, upload_collection
from tests.conftest import Caller, make_experiment, make_project
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url(Sys.getenv("PLUTO_API_URL") |> paste0("/sdk/pluto.R")))
library(jsonlite)
describe <- function(frame) {
  list(
    rows = nrow(frame),
    names = I(names(frame)),
    classes = lapply(frame, function(column) class(column)[1]),
    missing = sum(is.na(frame)),
    empty_genes = if ("peak_id" %in% names(frame)) sum(frame$Gene_Symbol == "") else 0
  )
}
results_of <- function(name) {
  experiment <- Sys.getenv(paste0(name, "_EXPERIMENT"))
  pluto_read(experiment, "results", plot_id = Sys.getenv(paste0(name, "_PLOT")))
}
seen <- list(ora = describe(results_of("ORA")), db = describe(results_of("DB")))
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, null = "null"), Sys.getenv("SEEN"))
"""


@dataclass(frozen=True)
class Plots:
    """The two plots, each with its experiment."""

    ora: tuple[Experiment, str]
    db: tuple[Experiment, str]


@pytest.fixture
def plots(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> Plots:
    """A completed over-representation (on the RNA-seq experiment) and differential binding
    (on an ATAC-seq experiment of the generated peaks)."""
    upload_collection(ada, gmt_of(data))
    request = {
        "analysis_type": "over_representation",
        "parameters": {
            "differential_expression_id": completed_de["uuid"],
            "gene_set_collection": "treatment",
        },
    }
    ora = start_and_run(ada, experiment, request)
    atac = make_experiment(ada.user, make_project(ada.user), "ATAC-seq", type="atacseq")
    upload_peaks(ada, atac, generate_peaks_experiment())
    db = start_and_run(ada, atac, {**DE_REQUEST, "analysis_type": "differential_binding"})
    assert ora["status"] == db["status"] == "complete"
    assert db["parameters"] == {**db["parameters"], **DE_PARAMETERS}
    return Plots((experiment, ora["plot"]["uuid"]), (atac, db["plot"]["uuid"]))


def test_plutobio_reads_both_results_tables(
    live_server: Any,
    ada: Caller,
    plots: Plots,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    client = PlutoClient(token=ada.key)

    ora = client.get_plot_data(plots.ora[0].pluto_id, plots.ora[1], folder_path=str(tmp_path))
    db = client.get_plot_data(plots.db[0].pluto_id, plots.db[1], folder_path=str(tmp_path))

    assert isinstance(ora, pd.DataFrame) and list(ora.columns) == list(ORA_COLUMNS)
    assert set(ora["Gene_Set_Shortname"]) == {"TREATMENT_UP", "TREATMENT_DOWN", "HOUSEKEEPING"}
    assert list(db.columns) == list(DB_COLUMNS) and len(db) == 3000
    assert db["peak_id"].str.contains("|", regex=False).sum() == db["Gene_Symbol"].notna().sum()


def test_the_r_client_reads_both_results_tables(
    live_server: Any, ada: Caller, plots: Plots, tmp_path: Path
) -> None:
    script = tmp_path / "read.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    env = {
        **os.environ,
        "PLUTO_API_URL": live_server.url,
        "PLUTO_API_TOKEN": ada.key,
        "ORA_EXPERIMENT": plots.ora[0].pluto_id,
        "ORA_PLOT": plots.ora[1],
        "DB_EXPERIMENT": plots.db[0].pluto_id,
        "DB_PLOT": plots.db[1],
        "SEEN": str(tmp_path / "seen.json"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [rscript(), "--vanilla", str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads((tmp_path / "seen.json").read_text(encoding="utf-8"))

    assert seen["ora"]["names"] == list(ORA_COLUMNS) and seen["ora"]["rows"] == 3
    assert seen["ora"]["classes"]["Overlap"] == "integer"
    assert seen["ora"]["classes"]["Genes"] == "character" and seen["ora"]["missing"] == 0
    assert seen["db"]["names"] == list(DB_COLUMNS) and seen["db"]["rows"] == 3000
    assert seen["db"]["classes"]["Gene_Symbol"] == "character"
    assert seen["db"]["classes"]["Log2_Fold_Change"] == "numeric"
    assert seen["db"]["missing"] == 0 and seen["db"]["empty_genes"] > 0
