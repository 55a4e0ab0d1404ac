# ---------------------------------------------------------------------------------------------
# Biomarker sets and biomodel sets
# ---------------------------------------------------------------------------------------------

# "?offset=..&limit=..(&search=..)" as a query list.
pluto_sets_page_query <- function(offset, limit, search) {
  query <- list(offset = offset, limit = limit)
  if (!is.null(search)) {
    query$search <- search
  }
  query
}

# The path of one set: "<family>/<uuid>/<rest>".
pluto_sets_path <- function(family, set_uuid, rest = "") {
  paste0(family, "/", pluto_path_part(set_uuid, "set_uuid"), "/", rest)
}

# POST a CSV file as the raw body; the JSON answer as lists.
pluto_sets_post_csv <- function(path, file) {
  if (!file.exists(file)) {
    stop("No file ", file, ".", call. = FALSE)
  }
  url <- paste0(pluto_server_url(), "/lab/", path)
  headers <- c(Authorization = paste("Token", pluto_api_token()))
  organization <- Sys.getenv("PLUTO_ORGANIZATION", unset = "")
  if (nzchar(organization)) {
    headers <- c(headers, Organization = organization)
  }
  response <- httr::POST(
    url,
    body = httr::upload_file(file, type = "text/csv"),
    httr::add_headers(.headers = headers),
    httr::user_agent(paste0("pluto-r/", pluto_client_version)),
    httr::timeout(300)
  )
  pluto_stop_for_status(response, url)
  rjson::fromJSON(httr::content(response, as = "text", encoding = "UTF-8"))
}

#' List biomarker sets of your organizations
#'
#' @param offset,limit The page (limit default 100).
#' @param search Only sets whose name or description contains this.
#' @return A list with count and items (each set with uuid, name, target_type, ...).
pluto_list_biomarker_sets <- function(offset = 0, limit = 100, search = NULL) {
  pluto_get_object("biomarker-sets/", pluto_sets_page_query(offset, limit, search))
}

#' One biomarker set
pluto_get_biomarker_set <- function(set_uuid) {
  pluto_get_object(pluto_sets_path("biomarker-sets", set_uuid))
}

#' Create a biomarker set
#'
#' @param data A list with name, target_type ("gene", "protein", "metabolite" or "other"),
#'   organism_shortname, and optionally description and set_type.
#' @return The new set; its gene_set_name ("biomarker_set:<uuid>") names it as the
#'   gene_set_collection of an enrichment or over-representation analysis.
pluto_create_biomarker_set <- function(data) {
  pluto_send_object("POST", "biomarker-sets/", data)
}

#' Archive a biomarker set
pluto_archive_biomarker_set <- function(set_uuid) {
  pluto_send_object("POST", pluto_sets_path("biomarker-sets", set_uuid, "archive/"), list())
}

#' List the biomarkers of a set
#' @return A list with count and items (uuid, name, target_shortname, description).
pluto_list_biomarkers <- function(set_uuid, offset = 0, limit = 100, search = NULL) {
  pluto_get_object(
    pluto_sets_path("biomarker-sets", set_uuid, "biomarkers/"),
    pluto_sets_page_query(offset, limit, search)
  )
}

#' Add one biomarker to a set
#' @param data A list with name, and optionally target_shortname and description.
pluto_add_biomarker <- function(set_uuid, data) {
  pluto_send_object("POST", pluto_sets_path("biomarker-sets", set_uuid, "biomarkers/"), data)
}

#' Add the rows of a CSV file (with a "name" column) to a biomarker set
#' @return A list with added, skipped (already in the set) and count.
pluto_upload_biomarker_csv <- function(set_uuid, file) {
  pluto_sets_post_csv(pluto_sets_path("biomarker-sets", set_uuid, "upload-csv/"), file)
}

#' Download a biomarker set as CSV to a local path
#' @return The destination path, invisibly.
pluto_download_biomarker_set <- function(set_uuid, dest_filename) {
  link <- pluto_get_object(pluto_sets_path("biomarker-sets", set_uuid, "download/"))
  if (is.null(link$url)) {
    stop("Expected a download link for biomarker set ", set_uuid, ".", call. = FALSE)
  }
  utils::download.file(link$url, destfile = dest_filename, quiet = TRUE, mode = "wb")
  invisible(dest_filename)
}

#' List biomodel sets of your organizations (a bare list of sets)
pluto_list_biomodel_sets <- function() {
  pluto_get_object("biomodel-sets/")
}

#' One biomodel set
pluto_get_biomodel_set <- function(set_uuid) {
  pluto_get_object(pluto_sets_path("biomodel-sets", set_uuid))
}

#' Create a biomodel set
#' @param data A list with name and schema_definition = list(columns = list(list(name =
#'   "cell_line", type = "text"), ...)); types are text, number, boolean and date.
pluto_create_biomodel_set <- function(data) {
  pluto_send_object("POST", "biomodel-sets/", data)
}

#' Archive a biomodel set
pluto_archive_biomodel_set <- function(set_uuid) {
  pluto_get_object(pluto_sets_path("biomodel-sets", set_uuid, "archive/"))
}

#' List rows of a biomodel set
#' @return The list headers, count and items (rows as lists by column).
pluto_list_biomodels <- function(set_uuid, offset = 0, limit = 100, search = NULL) {
  pluto_get_object(
    pluto_sets_path("biomodel-sets", set_uuid, "biomodels/"),
    pluto_sets_page_query(offset, limit, search)
  )
}

#' Add one row to a biomodel set
#' @param data A list by column name, each value of its column's type.
pluto_add_biomodel <- function(set_uuid, data) {
  pluto_send_object("POST", pluto_sets_path("biomodel-sets", set_uuid, "biomodels/"), data)
}

#' Add the rows of a CSV file whose header names the set's columns
pluto_upload_biomodel_csv <- function(set_uuid, file) {
  pluto_sets_post_csv(pluto_sets_path("biomodel-sets", set_uuid, "upload-csv/"), file)
}

#' The columns of a biomodel set (a list of name and type)
pluto_get_biomodel_columns <- function(set_uuid) {
  pluto_get_object(pluto_sets_path("biomodel-sets", set_uuid, "columns/"))
}
