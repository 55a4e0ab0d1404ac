"""The served R client's annotation set and search functions, against a live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Caller, make_experiment, make_project
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
work <- "%WORK%"
experiment <- "%EXPERIMENT%"
writeLines(c("cell_id,cluster", "AAAC-1,0", "AAAG-1,1", "AACT-1,0"), file.path(work, "c.csv"))
created <- pluto_create_annotation_set(experiment, file.path(work, "c.csv"),
                                       display_name = "Leiden", resolution = 0.8)
changed <- pluto_update_annotation_cluster(experiment, created$uuid, 1,
                                           display_name = "B cells", color = "#336699")
sets <- pluto_list_annotation_sets(experiment)
one <- pluto_get_annotation_set(experiment, created$uuid)
cells <- pluto_list_annotations(experiment, created$uuid)
old <- pluto_get_cluster_annotation_sets(experiment)
refused <- tryCatch(
  pluto_update_annotation_cluster(experiment, created$uuid, 0, color = "blue"),
  error = function(e) conditionMessage(e)
)
found <- pluto_search("PBMC")
projects <- pluto_search_all("immune", type = "projects")
seen <- list(
  name = created$display_name,
  resolution = created$resolution,
  changed = changed$color,
  set_count = length(sets),
  clusters = I(sapply(one$clusters, function(c) c$display_name)),
  colours = I(sapply(sets[[1]]$clusters, function(c) c$color)),
  cells = I(sapply(cells, function(c) c$cell_id)),
  numbers = I(sapply(cells, function(c) c$cluster_number)),
  old = old$obj[[1]]$uuid,
  refused = refused,
  found = found$count,
  found_id = found$items[[1]]$pluto_id,
  projects = I(sapply(projects, function(p) p$name))
)
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, digits = NA), file.path(work, "seen.json"))
"""


def test_r_functions_read_and_change_annotation_sets_and_search(
    live_server: Any, ada: Caller, tmp_path: Path
) -> None:
    project = make_project(ada.user, "Immune atlas")
    experiment = make_experiment(ada.user, project, "PBMC 10x", type="scrnaseq")
    script = tmp_path / "annotations.R"
    text = R_SCRIPT.replace("%WORK%", str(tmp_path)).replace("%EXPERIMENT%", experiment.pluto_id)
    script.write_text(text)
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key, "HOME": str(tmp_path)}

    done = subprocess.run(
        [rscript(), "--vanilla", str(script)], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert (seen["name"], seen["resolution"], seen["changed"]) == ("Leiden", 0.8, "#336699")
    assert seen["set_count"] == 1
    assert seen["clusters"] == ["Cluster 0", "B cells"]
    assert seen["colours"][1] == "#336699"
    assert seen["cells"] == ["AAAC-1", "AAAG-1", "AACT-1"]
    assert seen["numbers"] == [0, 1, 0]
    assert len(seen["old"]) == 36
    assert "#rrggbb" in seen["refused"]
    assert (seen["found"], seen["found_id"]) == (1, experiment.pluto_id)
    assert seen["projects"] == ["Immune atlas"]
