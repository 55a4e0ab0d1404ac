"""Pluto's R client reads a survival analysis's curves from a live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pluto.server.analyses.compute.survival import COLUMNS
from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort
from tests.analyses.conftest import csv_bytes, exp_path, get, put_csv, start_and_run
from tests.conftest import Caller, make_experiment, make_project
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
results <- pluto_read("%EXPERIMENT%", "results", plot_id = "%PLOT%")
seen <- list(
  names = I(names(results)),
  rows = nrow(results),
  classes = lapply(results, function(column) class(column)[1]),
  missing = sum(is.na(results)),
  groups = I(unique(results$Group)),
  survival = results$Survival,
  at_risk = results$At_Risk
)
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, digits = NA), "%WORK%/seen.json")
"""


def test_r_reads_the_kaplan_meier_table(live_server: Any, ada: Caller, tmp_path: Path) -> None:
    cohort = generate_survival_cohort()
    experiment = make_experiment(ada.user, make_project(ada.user), name="Cohort")
    put_csv(ada, experiment, "sample", csv_bytes(cohort.samples.reset_index()))
    parameters = {"time_column": "os_months", "event_column": "os_event", "group_column": "stage"}
    analysis = start_and_run(
        ada, experiment, {"analysis_type": "survival", "parameters": parameters}
    )
    plot_id = analysis["plot"]["uuid"]
    served = get(ada, exp_path(experiment, f"plots/{plot_id}/data/?limit=1000")).data
    script = tmp_path / "read.R"
    script.write_text(
        R_SCRIPT.replace("%EXPERIMENT%", experiment.pluto_id)
        .replace("%PLOT%", plot_id)
        .replace("%WORK%", str(tmp_path))
    )
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key, "HOME": str(tmp_path)}

    done = subprocess.run(
        [rscript(), "--vanilla", str(script)], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["names"] == list(COLUMNS)
    assert seen["rows"] == served["count"] and seen["missing"] == 0
    assert seen["classes"] == {
        "Group": "character",
        "Time": "numeric",
        "At_Risk": "integer",
        "Events": "integer",
        "Censored": "integer",
        "Survival": "numeric",
        "Lower_95": "numeric",
        "Upper_95": "numeric",
    }
    assert seen["groups"] == ["I", "II", "III", "IV"]
    survival = [row["Survival"] for row in served["items"]]
    assert seen["survival"] == pytest.approx(survival, rel=1e-14)  # R writes 15 digits
    assert seen["at_risk"] == [row["At_Risk"] for row in served["items"]]
