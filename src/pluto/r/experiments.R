# ---------------------------------------------------------------------------------------------
# Projects, experiments and their analyses, in the names of Pluto's R package
# ---------------------------------------------------------------------------------------------

# An object answer with response_status_code, as Pluto's R package returns it (an error
# answer stops instead, so the code is always 200 here).
pluto_with_status <- function(answer) {
  answer$response_status_code <- 200L
  answer
}

# A missing value for a field an answer may leave out.
pluto_or_na <- function(value) {
  if (is.null(value) || length(value) == 0) NA else value
}

#' List the projects you can see
#'
#' @param limit At most this many projects (default 1000).
#' @return A list with count (all of them) and items (the projects).
pluto_get_projects <- function(limit = 1000) {
  pluto_with_status(pluto_get_object("projects/", list(limit = pluto_format_count(limit))))
}

#' List the experiments you can see
#'
#' @param limit At most this many experiments (default 1000).
#' @return A list with count and items (the experiments).
pluto_get_experiments <- function(limit = 1000) {
  pluto_with_status(pluto_get_object("experiments/", list(limit = pluto_format_count(limit))))
}

#' List the experiments of a project
#'
#' @param project_id The project, such as "PLXP00286".
#' @return A list with count and items (the experiments).
pluto_get_project_experiments <- function(project_id) {
  path <- paste0("projects/", pluto_path_part(project_id, "project_id"), "/experiments/")
  pluto_with_status(pluto_get_object(path))
}

# One experiment as a row of pluto_read_project_experiments.
pluto_experiment_row <- function(experiment) {
  person <- function(user) paste(user$first_name, user$last_name)
  data.frame(
    experiment_id = experiment$pluto_id,
    name = experiment$name,
    organism = pluto_or_na(experiment$organism$shortname),
    experiment_type = pluto_or_na(experiment$type$shortname),
    share_level = experiment$share_level,
    status = experiment$status,
    assay_data_units = pluto_or_na(experiment$assay_data_units$units$shortname),
    plot_count = experiment$plot_count,
    owner = person(experiment$experiment_owner),
    created_by = person(experiment$created_by),
    created_at = substr(experiment$created_at, 1, 10),
    stringsAsFactors = FALSE
  )
}

#' The experiments of a project as a data frame
#'
#' @return One row per experiment: experiment_id, name, organism, experiment_type,
#'   share_level, status, assay_data_units, plot_count, owner, created_by, created_at.
pluto_read_project_experiments <- function(project_id) {
  rows <- lapply(pluto_get_project_experiments(project_id)$items, pluto_experiment_row)
  if (length(rows) == 0) {
    return(data.frame())
  }
  do.call(rbind, rows)
}

#' List the analyses of an experiment
#'
#' @param limit At most this many analyses (default 1000).
#' @return A list with count and items (each analysis with uuid, analysis_type, name,
#'   pipeline_status, display_type, share_level, is_archived, ...).
pluto_get_experiment_analyses <- function(experiment_id, limit = 1000) {
  path <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/analyses/")
  pluto_with_status(pluto_get_object(path, list(limit = pluto_format_count(limit))))
}

# One analysis as a row of pluto_read_experiment_analyses.
pluto_analysis_row <- function(analysis) {
  data.frame(
    uuid = analysis$uuid,
    analysis_type = analysis$analysis_type,
    analysis_name = pluto_or_na(analysis$name),
    display_type = pluto_or_na(analysis$display_type),
    share_level = pluto_or_na(analysis$share_level),
    status = pluto_or_na(analysis$pipeline_status),
    is_archived = pluto_or_na(analysis$is_archived),
    stringsAsFactors = FALSE
  )
}

#' The analyses of an experiment as a data frame
#'
#' @return One row per analysis: uuid, analysis_type, analysis_name, display_type,
#'   share_level, status (its pipeline_status) and is_archived.
pluto_read_experiment_analyses <- function(experiment_id) {
  rows <- lapply(pluto_get_experiment_analyses(experiment_id)$items, pluto_analysis_row)
  if (length(rows) == 0) {
    return(data.frame())
  }
  do.call(rbind, rows)
}

#' List the experiments you can see (the older name of pluto_get_experiments)
pluto_get_experiments_all <- function(limit = 1000) {
  pluto_get_experiments(limit)
}
