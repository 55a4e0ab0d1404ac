# ---------------------------------------------------------------------------------------------
# Research programs (programs/, beside lab/)
# ---------------------------------------------------------------------------------------------

# The path of a program's sub-resource: "programs/<uuid>/<rest>".
pluto_program_path <- function(program_uuid, rest = "") {
  paste0("programs/", pluto_path_part(program_uuid, "program_uuid"), "/", rest)
}

# A GET of a programs/ path as plain nested lists.
pluto_program_get <- function(path, query = list()) {
  pluto_get_object(path, query = query, under = "")
}

# A POST of a programs/ path; NULL fields are left out of the body.
pluto_program_post <- function(path, body) {
  pluto_send_object("POST", path, body = Filter(Negate(is.null), body), under = "")
}

#' List the research programs you can see, newest first
#'
#' @param offset First program to return, counting from 0.
#' @param limit How many programs to return (default 100).
#' @param search Words of a program's name, description, goal or labels (NULL for all).
#' @return The page: count, next, previous and results (one list per program).
#' @examples
#' page <- pluto_list_programs(search = "KRAS")
#' sapply(page$results, function(p) p$name)
pluto_list_programs <- function(offset = 0, limit = 100, search = NULL) {
  query <- list(offset = offset, limit = limit)
  if (!is.null(search)) query$search <- search
  pluto_program_get("programs/", query)
}

#' A program: its name, goal, type, status, labels and framework version
#' @param program_uuid The program's UUID.
pluto_get_program <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid))
}

#' The experiments, analyses and files gathered as a program's evidence
#' @param program_uuid The program's UUID.
pluto_list_program_assets <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "assets/"))
}

#' A program's analysis spaces
#' @param program_uuid The program's UUID.
pluto_list_program_analysis_spaces <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "analysis-spaces/"))
}

#' A program's framework and its current dimensions (with how much evidence each has)
#' @param program_uuid The program's UUID.
pluto_get_program_framework <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/"))
}

#' Each dimension of a program's framework with the evidence under it
#' @param program_uuid The program's UUID.
#' @return A list: dimensions (each with evidence), covered_count, gap_count, asset_count...
pluto_get_program_framework_summary <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/summary/"))
}

#' The versions of a program's framework, newest first
#' @param program_uuid The program's UUID.
pluto_list_program_framework_versions <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/versions/"))
}

#' The dimensions of a program's framework that no evidence is filed under yet
#' @param program_uuid The program's UUID.
pluto_list_program_coverage_gaps <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/coverage-gaps/"))
}

#' A program's next steps
#' @param program_uuid The program's UUID.
pluto_list_program_next_steps <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/next-steps/"))
}

#' The experiments a program's evidence comes from
#' @param program_uuid The program's UUID.
pluto_list_program_evidence_sources <- function(program_uuid) {
  pluto_program_get(pluto_program_path(program_uuid, "framework/evidence-sources/"))
}

#' The kinds of program (key, name, description)
pluto_list_program_types <- function() {
  pluto_program_get("programs/program-types/")
}

#' The framework templates a program can start from, with their dimensions
pluto_list_framework_templates <- function() {
  pluto_program_get("programs/framework-templates/")
}

#' The labels of your organization's programs
pluto_list_program_labels <- function() {
  pluto_program_get("programs/labels/")
}

#' How many programs you can see (total) and how many are active
pluto_get_program_stats <- function() {
  pluto_program_get("programs/stats/")
}

#' Create a program in your organization
#'
#' @param name The program's name.
#' @param template A framework template's key (see pluto_list_framework_templates()); it
#'   gives the framework its dimensions and the program its type.
#' @param program_type A program type's key, needed without a template.
#' @param description,goal Texts.
#' @param labels Label names (made when new).
#' @examples
#' program <- pluto_create_program("KRAS G12C", template = "target_validation")
pluto_create_program <- function(name, template = NULL, program_type = NULL,
                                 description = NULL, goal = NULL, labels = NULL) {
  pluto_program_post("programs/", list(
    name = name, template = template, program_type = program_type,
    description = description, goal = goal, labels = if (is.null(labels)) NULL else as.list(labels)
  ))
}

#' File an experiment, analysis or file as evidence of a program
#'
#' @param program_uuid The program's UUID.
#' @param kind "experiment", "analysis" or "file".
#' @param object_id The experiment's PLX id or UUID, or the analysis' or file's UUID.
#' @param dimension The key of one of the framework's dimensions (NULL for none).
#' @param note Why it is evidence.
pluto_add_program_asset <- function(program_uuid, kind, object_id, dimension = NULL,
                                    note = NULL) {
  pluto_program_post(pluto_program_path(program_uuid, "assets/"), list(
    kind = kind, object_id = object_id, dimension = dimension, note = note
  ))
}

#' A new version of a program's framework
#'
#' @param program_uuid The program's UUID.
#' @param dimensions Dimension names, or lists of key, name and description. A dimension
#'   keeps its evidence from version to version by its key.
#' @param note What changed.
pluto_create_program_framework_version <- function(program_uuid, dimensions, note = NULL) {
  pluto_program_post(pluto_program_path(program_uuid, "framework/versions/"), list(
    dimensions = as.list(dimensions), note = note
  ))
}

#' Add a next step to a program, optionally for one dimension
#' @param program_uuid The program's UUID.
#' @param text What to do.
#' @param dimension A dimension's key (NULL for none).
#' @param status "open" (default), "in_progress" or "done".
pluto_create_program_next_step <- function(program_uuid, text, dimension = NULL, status = NULL) {
  pluto_program_post(pluto_program_path(program_uuid, "framework/next-steps/"), list(
    text = text, dimension = dimension, status = status
  ))
}
