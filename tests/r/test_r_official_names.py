"""The served R client under the function names of Pluto's own R package (0.2), against a live
demo server: a script written for that package runs unchanged with ``source(url(...))``.

One R script calls every function and writes what it saw to a JSON file, so R and the server
start once for the whole module.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_demo import DEMO_EXPERIMENT, DEMO_PLOT, DEMO_PROJECT, live_demo, rscript

pytestmark = pytest.mark.live

R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
setwd("%WORK%")
E <- "%EXPERIMENT%"
P <- "%PLOT%"
seen <- list()
said <- function(expr) {
  lines <- character(0)
  withCallingHandlers(expr, message = function(m) {
    lines <<- c(lines, conditionMessage(m))
    invokeRestart("muffleMessage")
  })
  I(lines)
}
classes_of <- function(expr) tryCatch({ expr; "no error" }, error = function(e) I(class(e)))

seen$projects <- pluto_get_projects()$count
seen$experiments <- pluto_get_experiments(limit = 2)[c("count", "response_status_code")]
seen$experiments$items <- length(pluto_get_experiments(limit = 2)$items)
listed <- pluto_read_project_experiments("%PROJECT%")
seen$project_frame <- list(names = I(names(listed)), ids = I(listed$experiment_id),
                           units = listed$assay_data_units[1])
analyses <- pluto_read_experiment_analyses(E)
seen$analyses <- list(names = I(names(analyses)), statuses = I(unique(analyses$status)),
                      display = analyses$display_type[analyses$analysis_type ==
                                                        "differential_expression"])
seen$analyses_count <- pluto_get_experiment_analyses(E)$count

data <- pluto_get_experiment_data(E, "sample")
seen$sample <- list(status = data$status_code, rows = nrow(data$df), first = names(data$df)[1])
seen$assay_limited <- dim(pluto_read_assay_data(E, limit = 5, silent = TRUE))
seen$silent_lines <- said(pluto_read_sample_data(E, silent = TRUE))
seen$loud_lines <- said(pluto_read_data(E, "sample"))
said(pluto_download_sample_data(E))
said(pluto_download_assay_data(E, dest_filename = "counts.csv"))
seen$downloads <- list(
  sample = nrow(read.csv(paste0(E, "_sample_data.csv"))),
  assay = ncol(read.csv("counts.csv", check.names = FALSE))
)

plot <- pluto_get_plot(E, P)
seen$plot <- plot
seen$plots_count <- pluto_get_experiment_plots(E)$count
results <- pluto_get_results(E, P, silent = TRUE)
seen$results <- list(status = results$response_status_code, rows = nrow(results$df),
                     names = I(names(results$df)))
seen$results_rows <- nrow(pluto_read_results(E, P, silent = TRUE))
said(seen$results_file <- pluto_download_results(E, P))
seen$older <- list(
  experiments = pluto_get_experiments_all()$count,
  plot_type = pluto_get_plot_details(E, P)$plot_details$plot_type,
  results = nrow(pluto_get_experiment_results(E, plot_id = P, silent = TRUE)$df),
  result_csv = dim(pluto_read_result(E, P)),
  sample_csv = dim(pluto_read_sample(E)),
  assay_csv = dim(pluto_read_assay(E))
)

cpm <- pluto_get_counts(E, "cpm")
seen$cpm <- list(first = names(cpm)[1], column_total = sum(cpm[[2]]), rows = nrow(cpm))
seen$raw_rows <- nrow(suppressMessages(pluto_get_counts(E, "raw")))
seen$no_tpm <- classes_of(pluto_get_counts(E, "tpm_gene"))
seen$kinds <- list(bigwigs = length(pluto_list_bigwigs(E)), peaks = length(pluto_list_peaks(E)),
                   bam = length(pluto_list_bam_files(E)))

writeLines("<html><body>figure</body></html>", "figure.html")
writeLines(c("gene,score", "ACTB,1.5", "GAPDH,2"), "scores.csv")
created <- said(made <- pluto_create_external_plot(
  E, "Scores from R", "Made by hand", display_file_path = "figure.html",
  results_file_path = "scores.csv"
))
seen$external <- list(said = created, name = made$name,
                      rows = nrow(pluto_read_results(E, made$uuid, silent = TRUE)))
said(renamed <- pluto_update_external_plot(E, made$uuid, analysis_name = "Renamed scores"))
seen$renamed <- renamed$name
said(added <- pluto_add_experiment_plot(E, "figure.html"))
seen$added_name <- added$name

writeLines("chr1\t10\t20\tpeak_1", "peaks.bed")
writeLines("coverage", "S1.bw")
bed <- pluto_upload_experiment_file(E, "peaks.bed", data_type = "consensus_bed")
pluto_upload_experiment_file(E, "S1.bw", data_type = "bigwig")
dir.create("downloads")
seen$kind_downloads <- list(
  peaks = I(basename(pluto_download_peaks(E, "downloads", file_uuids = bed$uuid))),
  bed = readLines(file.path("downloads", "peaks.bed")),
  bigwigs = I(basename(pluto_download_bigwigs(E, "downloads"))),
  unknown = tryCatch(pluto_download_peaks(E, "downloads", file_uuids = "nope"),
                     error = conditionMessage)
)
saveRDS(list(kind = "raw"), "raw.rds")
saveRDS(list(kind = "final"), "final.rds")
pluto_upload_experiment_file(E, "raw.rds", data_type = "seurat")
pluto_upload_experiment_file(E, "final.rds", data_type = "seurat")
seen$seurat <- list(
  listed = length(pluto_list_seurat_objects(E)),
  final = pluto_get_seurat_object(E, "final")$obj$kind,
  saved = pluto_download_seurat_object(E, "raw")
)

seen$not_found <- classes_of(pluto_get_experiment("PLX999999"))
seen$malformed <- classes_of(pluto_get_experiment("not-an-id"))
caught <- tryCatch(pluto_get_project("PLXP99999"), pluto_not_found_error = function(e) e)
seen$caught <- list(status = caught$status_code, code = caught$code,
                    not_found = pluto_is_not_found(caught), api = pluto_is_api_error(caught))
seen$checked <- classes_of(pluto_check_response(
  list(response_status_code = 403L, code = "permission_denied", message = "Not yours.")
))
seen$check_passes <- pluto_check_response(list(response_status_code = 200L, a = 1))$a

bad_cursor <- tryCatch(pluto_get_experiment_history(E, cursor = "abc"), error = function(e) e)
seen$bad_cursor <- list(classes = I(class(bad_cursor)), field = bad_cursor$details$field)
seen$history_rows <- nrow(pluto_get_experiment_history(E, limit = 2))
token <- Sys.getenv("PLUTO_API_TOKEN")
seen$logged_in <- pluto_is_logged_in()
seen$logout <- said(pluto_logout())
seen$after_logout <- pluto_is_logged_in()
seen$bad_login <- tryCatch(pluto_login("short"), error = conditionMessage)
seen$login <- said(pluto_login(token))
seen$works_again <- pluto_get_project("%PROJECT%")$pluto_id

writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, digits = NA), "seen.json")
"""


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """What the R script saw, run once against a live demo server."""
    folder = tmp_path_factory.mktemp("r-official")
    work = folder / "work"
    work.mkdir()
    with live_demo(folder) as demo:
        script = work / "official.R"
        script.write_text(
            R_SCRIPT.replace("%WORK%", str(work))
            .replace("%EXPERIMENT%", DEMO_EXPERIMENT)
            .replace("%PLOT%", DEMO_PLOT)
            .replace("%PROJECT%", DEMO_PROJECT)
        )
        done = subprocess.run(
            [rscript(), "--vanilla", str(script)],
            env=demo.client_env(work),
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        seen = json.loads((work / "seen.json").read_text())
        seen["work"] = str(work)
        yield seen


def test_project_and_experiment_lists_answer_with_count_and_status(seen: dict[str, Any]) -> None:
    assert seen["projects"] == 1
    assert seen["experiments"] == {"count": 3, "response_status_code": 200, "items": 2}


def test_project_experiments_read_as_a_frame_of_the_official_columns(
    seen: dict[str, Any],
) -> None:
    frame = seen["project_frame"]
    assert frame["names"] == [
        "experiment_id",
        "name",
        "organism",
        "experiment_type",
        "share_level",
        "status",
        "assay_data_units",
        "plot_count",
        "owner",
        "created_by",
        "created_at",
    ]
    assert DEMO_EXPERIMENT in frame["ids"]
    assert frame["units"] == "raw_counts"


def test_analyses_read_as_a_frame_with_their_pipeline_status(seen: dict[str, Any]) -> None:
    analyses = seen["analyses"]
    assert analyses["names"] == [
        "uuid",
        "analysis_type",
        "analysis_name",
        "display_type",
        "share_level",
        "status",
        "is_archived",
    ]
    assert analyses["statuses"] == ["completed"]
    assert analyses["display"] == "volcano_plot_v2"
    assert seen["analyses_count"] >= 7


def test_tables_read_under_the_official_names_and_silent_prints_nothing(
    seen: dict[str, Any],
) -> None:
    assert seen["sample"] == {"status": 200, "rows": 12, "first": "sample_id"}
    assert seen["assay_limited"] == [5, 13]
    assert seen["silent_lines"] == []
    assert seen["loud_lines"] == ["All 12 rows of the sample data were fetched.\n"]


def test_table_downloads_use_the_official_default_file_names(seen: dict[str, Any]) -> None:
    assert seen["downloads"] == {"sample": 12, "assay": 13}
    assert (Path(seen["work"]) / f"{DEMO_EXPERIMENT}_sample_data.csv").exists()


def test_plot_details_and_results_read_as_the_official_client_reads_them(
    seen: dict[str, Any],
) -> None:
    assert seen["plot"] == {
        "response_status_code": 200,
        "plot_details": {
            "analysis_type": "differential_expression",
            "analysis_status": "completed",
            "analysis_version": seen["plot"]["plot_details"]["analysis_version"],
            "plot_type": "volcano_plot_v2",
            "plot_title": "Treated vs control",
        },
    }
    assert seen["plots_count"] >= 7
    assert seen["results"]["status"] == 200
    assert seen["results"]["names"][:3] == ["Gene_Symbol", "Average_Expression", "Log2_Fold_Change"]
    assert seen["results_rows"] == seen["results"]["rows"] > 10000
    assert seen["results_file"] == f"{DEMO_EXPERIMENT}_volcano_plot_v2.csv"


def test_the_older_function_names_read_the_same_tables(seen: dict[str, Any]) -> None:
    older = seen["older"]
    rows = seen["results"]["rows"]
    assert older["experiments"] == 3
    assert older["plot_type"] == "volcano_plot_v2"
    assert older["results"] == rows
    assert older["result_csv"] == [rows, 5]
    assert older["sample_csv"] == [12, 5]
    assert older["assay_csv"] == [seen["raw_rows"], 13]


def test_counts_per_million_come_from_the_file_the_server_makes(seen: dict[str, Any]) -> None:
    assert seen["cpm"]["first"] == "gene_symbol"
    assert seen["cpm"]["column_total"] == pytest.approx(1e6, rel=1e-3)
    assert seen["cpm"]["rows"] == seen["raw_rows"]
    assert "pluto_not_found_error" in seen["no_tpm"]
    assert seen["kinds"] == {"bigwigs": 0, "peaks": 0, "bam": 0}


def test_external_plots_are_created_updated_and_their_results_read(seen: dict[str, Any]) -> None:
    external = seen["external"]
    assert external["name"] == "Scores from R"
    assert external["rows"] == 2
    assert "External plot created successfully!\n" in external["said"]
    assert seen["renamed"] == "Renamed scores"
    assert seen["added_name"] == "External"


def test_peak_and_bigwig_files_download_by_kind_and_by_uuid(seen: dict[str, Any]) -> None:
    downloads = seen["kind_downloads"]
    assert downloads["peaks"] == ["peaks.bed"]
    assert downloads["bed"] == "chr1\t10\t20\tpeak_1"
    assert downloads["bigwigs"] == ["S1.bw"]
    assert downloads["unknown"] == "This experiment has no consensus_bed file nope."


def test_seurat_objects_are_listed_read_and_saved_raw_first(seen: dict[str, Any]) -> None:
    assert seen["seurat"]["listed"] == 2
    assert seen["seurat"]["final"] == "final"
    assert seen["seurat"]["saved"] == f"{DEMO_EXPERIMENT}_raw_seurat_object.rds"


def test_error_answers_are_classed_conditions_as_in_the_official_client(
    seen: dict[str, Any],
) -> None:
    assert seen["not_found"][:3] == ["pluto_not_found_error", "pluto_api_error", "pluto_error"]
    # A malformed id is "not found" by its code, whatever the status.
    assert seen["malformed"][0] == "pluto_not_found_error"
    assert seen["caught"] == {"status": 404, "code": "not_found", "not_found": True, "api": True}
    assert seen["checked"][0] == "pluto_permission_error"
    assert seen["check_passes"] == 1


def test_history_sends_the_official_cursor_and_still_reads_a_frame(seen: dict[str, Any]) -> None:
    assert seen["bad_cursor"]["classes"][0] == "pluto_validation_error"
    assert seen["bad_cursor"]["field"] == "cursor"
    assert seen["history_rows"] == 2


def test_login_and_logout_set_and_clear_the_session_token(seen: dict[str, Any]) -> None:
    assert seen["logged_in"] is True
    assert seen["logout"] == ["You're logged out\n"]
    assert seen["after_logout"] is False
    assert "40 letters and digits" in seen["bad_login"]
    assert seen["login"] == ["Welcome! You're logged in.\n"]
    assert seen["works_again"] == DEMO_PROJECT
