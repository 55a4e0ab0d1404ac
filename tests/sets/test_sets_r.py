"""The served R client's biomarker and biomodel set functions, against a live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Caller
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
work <- "%WORK%"
created <- pluto_create_biomarker_set(list(
  name = "Hypoxia genes", target_type = "gene", organism_shortname = "human"
))
added <- pluto_add_biomarker(created$uuid, list(name = "HIF1A"))
writeLines(c("name", "VEGFA", "EPAS1"), file.path(work, "genes.csv"))
uploaded <- pluto_upload_biomarker_csv(created$uuid, file.path(work, "genes.csv"))
listed <- pluto_list_biomarkers(created$uuid, search = "f")
pluto_download_biomarker_set(created$uuid, file.path(work, "out.csv"))
sets <- pluto_list_biomarker_sets()
archived <- pluto_archive_biomarker_set(created$uuid)
refused <- tryCatch(
  pluto_create_biomarker_set(list(name = "X", target_type = "lipid")),
  error = function(e) conditionMessage(e)
)
columns <- list(list(name = "cell_line", type = "text"), list(name = "hours", type = "number"))
schema <- list(columns = columns)
table <- pluto_create_biomodel_set(list(name = "Cell lines", schema_definition = schema))
pluto_add_biomodel(table$uuid, list(cell_line = "HeLa", hours = 23))
writeLines(c("cell_line,hours", "A549,22.5"), file.path(work, "lines.csv"))
pluto_upload_biomodel_csv(table$uuid, file.path(work, "lines.csv"))
rows <- pluto_list_biomodels(table$uuid)
tables <- pluto_list_biomodel_sets()
seen <- list(
  uuid = created$uuid,
  added = added$name,
  uploaded = uploaded,
  listed = I(sapply(listed$items, function(b) b$name)),
  downloaded = I(readLines(file.path(work, "out.csv"))),
  set_count = sets$count,
  archived = archived$is_archived,
  refused = refused,
  headers = I(rows$headers),
  hours = I(sapply(rows$items, function(r) r$hours)),
  tables = length(tables),
  columns = I(sapply(pluto_get_biomodel_columns(table$uuid), function(c) c$type)),
  table_archived = pluto_archive_biomodel_set(table$uuid)$is_archived
)
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, digits = NA), file.path(work, "seen.json"))
"""


def test_r_functions_build_and_read_biomarker_and_biomodel_sets(
    live_server: Any, ada: Caller, tmp_path: Path
) -> None:
    script = tmp_path / "sets.R"
    script.write_text(R_SCRIPT.replace("%WORK%", str(tmp_path)))
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key, "HOME": str(tmp_path)}
    done = subprocess.run(
        [rscript(), "--vanilla", str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen["added"] == "HIF1A"
    assert seen["uploaded"] == {"added": 2, "skipped": 0, "count": 3}
    assert seen["listed"] == ["HIF1A", "VEGFA"]
    assert seen["downloaded"] == [
        "name,target_shortname,description",
        "HIF1A,,",
        "VEGFA,,",
        "EPAS1,,",
    ]
    assert seen["set_count"] == 1
    assert seen["archived"] is True
    assert "target_type" in seen["refused"]
    assert seen["headers"] == ["cell_line", "hours"]
    assert seen["hours"] == [23, 22.5]
    assert seen["tables"] == 1
    assert seen["columns"] == ["text", "number"]
    assert seen["table_archived"] is True
