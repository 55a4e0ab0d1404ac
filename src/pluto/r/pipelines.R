# ---------------------------------------------------------------------------------------------
# Pipelines, pipeline runs and workflows
# ---------------------------------------------------------------------------------------------

pluto_workflow_terminal <- c("completed", "accepted", "failed")

pluto_pipelines_experiment_path <- function(experiment_id, rest) {
  paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/", rest)
}

pluto_pipelines_workflow_path <- function(experiment_id, workflow_uuid, rest = "") {
  pluto_pipelines_experiment_path(
    experiment_id,
    paste0("workflows/", pluto_path_part(workflow_uuid, "workflow_uuid"), "/", rest)
  )
}

# The records of a list answer: {count, items} or a bare array.
pluto_pipelines_records <- function(answer) {
  if (!is.null(answer$items)) {
    return(answer$items)
  }
  answer
}

#' The processing pipelines an experiment can run
#'
#' @param experiment_id Pluto experiment ID (e.g. PLX140206) or UUID.
#' @return A list of pipeline records (uuid, name, shortname, version, description,
#'   parameters: the JSON schema of what a run takes).
#' @examples
#' sapply(pluto_list_pipelines("PLX140206"), function(p) p$shortname)
pluto_list_pipelines <- function(experiment_id) {
  path <- pluto_pipelines_experiment_path(experiment_id, "pipelines/")
  pluto_pipelines_records(pluto_get_object(path))
}

#' The pipeline runs of an experiment, newest first
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @return A list of run records (uuid, pipeline, status, parameters, outputs, error,
#'   workflow, created_at, finished_at).
pluto_list_pipeline_runs <- function(experiment_id) {
  path <- pluto_pipelines_experiment_path(experiment_id, "pipeline-runs/")
  pluto_pipelines_records(pluto_get_object(path))
}

#' Start a pipeline run
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param pipeline The pipeline's shortname (e.g. "assay_import").
#' @param parameters A named list of the pipeline's parameters; for "assay_import" either
#'   `csv` (the table as text) or `file_id` (a file uploaded to the experiment), and
#'   optionally `name`.
#' @return The run as it ended; its `workflow` is the workflow to review and accept.
#' @examples
#' csv <- paste(readLines("counts.csv"), collapse = "\n")
#' run <- pluto_start_pipeline_run("PLX140206", "assay_import", list(csv = csv))
#' pluto_accept_workflow("PLX140206", run$workflow)
pluto_start_pipeline_run <- function(experiment_id, pipeline, parameters = list()) {
  body <- list(pipeline = pipeline, parameters = parameters)
  if (length(parameters) == 0) {
    body$parameters <- NULL
  }
  pluto_send_object("POST", pluto_pipelines_experiment_path(experiment_id, "pipeline-runs/"), body)
}

#' The workflows of an experiment, newest first
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @return A list of workflow records (uuid, name, status: in_progress, completed,
#'   accepted or failed; is_archived, outputs, ...).
pluto_list_workflows <- function(experiment_id) {
  path <- pluto_pipelines_experiment_path(experiment_id, "workflows/")
  pluto_pipelines_records(pluto_get_object(path))
}

#' One workflow
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @return The workflow record.
pluto_get_workflow <- function(experiment_id, workflow_uuid) {
  pluto_get_object(pluto_pipelines_workflow_path(experiment_id, workflow_uuid))
}

#' Wait until a workflow is completed, accepted or failed
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @param poll_interval Seconds between looks.
#' @param timeout Give up with an error after this many seconds.
#' @param progress TRUE to print each change of status.
#' @return The workflow record; check $status.
pluto_wait_for_workflow <- function(experiment_id, workflow_uuid, poll_interval = 10,
                                    timeout = 3 * 60 * 60, progress = FALSE) {
  started <- Sys.time()
  last <- ""
  repeat {
    workflow <- pluto_get_workflow(experiment_id, workflow_uuid)
    status <- if (is.null(workflow$status)) "" else workflow$status
    if (progress && !identical(status, last)) {
      message("Workflow ", workflow_uuid, " status: ", status)
    }
    last <- status
    if (status %in% pluto_workflow_terminal) {
      return(workflow)
    }
    waited <- as.numeric(difftime(Sys.time(), started, units = "secs"))
    if (waited >= timeout) {
      stop(
        "The workflow ", workflow_uuid, " was still ", status, " after ", timeout, " seconds.",
        call. = FALSE
      )
    }
    Sys.sleep(poll_interval)
  }
}

#' Accept a completed workflow: publish its outputs into the experiment
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @return The accepted workflow record.
pluto_accept_workflow <- function(experiment_id, workflow_uuid) {
  path <- pluto_pipelines_workflow_path(experiment_id, workflow_uuid, "accept/")
  pluto_send_object("POST", path, list())
}

#' Archive a workflow (it leaves the list)
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @return The archived workflow record.
pluto_archive_workflow <- function(experiment_id, workflow_uuid) {
  path <- pluto_pipelines_workflow_path(experiment_id, workflow_uuid, "archive/")
  pluto_send_object("POST", path, list())
}

#' Copy a workflow: run its pipeline again as a new workflow
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @param data Optional named list: `name`, and `parameters` overriding the original's.
#' @return The new workflow record.
pluto_copy_workflow <- function(experiment_id, workflow_uuid, data = list()) {
  path <- pluto_pipelines_workflow_path(experiment_id, workflow_uuid, "copy/")
  pluto_send_object("POST", path, data)
}

#' The steps (preprocesses) of a workflow, in order
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param workflow_uuid The workflow's UUID.
#' @return A list of step records (name, display_name, order, status, message).
pluto_list_workflow_preprocesses <- function(experiment_id, workflow_uuid) {
  pluto_get_object(pluto_pipelines_workflow_path(experiment_id, workflow_uuid, "preprocesses/"))
}

pluto_pipelines_run_path <- function(experiment_id, run_uuid, rest = "") {
  pluto_pipelines_experiment_path(
    experiment_id,
    paste0("pipeline-runs/", pluto_path_part(run_uuid, "run_uuid"), "/", rest)
  )
}

#' One pipeline run, as it is now
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param run_uuid The run's UUID.
#' @return The run record (status: pending, in_progress, completed, failed or canceled).
pluto_get_pipeline_run <- function(experiment_id, run_uuid) {
  pluto_get_object(pluto_pipelines_run_path(experiment_id, run_uuid))
}

#' Cancel a pending or running pipeline run
#'
#' Its tools are stopped within seconds and the experiment is left as it was; a finished
#' run is refused (409).
#'
#' @param experiment_id Pluto experiment ID or UUID.
#' @param run_uuid The run's UUID.
#' @return The canceled run record.
#' @examples
#' run <- pluto_cancel_pipeline_run("PLX140206", run$uuid)
pluto_cancel_pipeline_run <- function(experiment_id, run_uuid) {
  path <- pluto_pipelines_run_path(experiment_id, run_uuid, "cancel/")
  pluto_send_object("POST", path, list())
}
