# ---------------------------------------------------------------------------------------------
# Annotation sets (cell clusters of single-cell experiments)
# ---------------------------------------------------------------------------------------------

pluto_annotation_sets_path <- function(experiment_id, set_uuid = NULL, rest = "") {
  base <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"),
                 "/annotation-sets/")
  if (is.null(set_uuid)) {
    return(base)
  }
  paste0(base, pluto_path_part(set_uuid, "set_uuid"), "/", rest)
}

#' List the annotation sets of a single-cell experiment
#'
#' @return A list of sets, each with uuid, display_name, resolution, clusters (uuid, number,
#'   display_name, color) and created_at.
pluto_list_annotation_sets <- function(experiment_id) {
  pluto_get_object(pluto_annotation_sets_path(experiment_id))
}

#' One annotation set with its clusters
pluto_get_annotation_set <- function(experiment_id, set_uuid) {
  pluto_get_object(pluto_annotation_sets_path(experiment_id, set_uuid))
}

#' Every cell's cluster in an annotation set
#'
#' @return A list of records with cell_id and cluster_number, in upload order.
pluto_list_annotations <- function(experiment_id, set_uuid) {
  path <- pluto_annotation_sets_path(experiment_id, set_uuid, "annotations/")
  cells <- list()
  repeat {
    page <- pluto_get_object(path, list(offset = pluto_format_count(length(cells)), limit = "100000"))
    cells <- c(cells, page$items)
    if (length(page$items) == 0 || length(cells) >= page$count) break
  }
  cells
}

#' The annotation sets of an experiment, as the older client read them
#'
#' @return A list with status_code and obj, the list of sets.
pluto_get_cluster_annotation_sets <- function(experiment_id, silent = FALSE) {
  list(status_code = 200, obj = pluto_list_annotation_sets(experiment_id))
}

#' Add an annotation set from a CSV of cells and their clusters
#'
#' @param file A CSV with a cell_id and a cluster column (and optionally cluster_name).
#' @param display_name,resolution The set's name and clustering resolution.
#' @return The new set.
pluto_create_annotation_set <- function(experiment_id, file, display_name = NULL,
                                        resolution = NULL) {
  if (!file.exists(file)) {
    stop("No file ", file, ".", call. = FALSE)
  }
  url <- paste0(pluto_server_url(), "/lab/", pluto_annotation_sets_path(experiment_id))
  headers <- c(Authorization = paste("Token", pluto_api_token()))
  organization <- Sys.getenv("PLUTO_ORGANIZATION", unset = "")
  if (nzchar(organization)) {
    headers <- c(headers, Organization = organization)
  }
  query <- list(filename = basename(file))
  query$display_name <- display_name
  query$resolution <- resolution
  response <- httr::POST(
    url,
    query = query,
    body = httr::upload_file(file, type = "text/csv"),
    httr::add_headers(.headers = headers),
    httr::user_agent(paste0("pluto-r/", pluto_client_version)),
    httr::timeout(300)
  )
  pluto_stop_for_status(response, url)
  rjson::fromJSON(httr::content(response, as = "text", encoding = "UTF-8"))
}

#' Rename or recolour a cluster
#'
#' @param cluster The cluster's number or uuid.
#' @param display_name,color A new name and/or a new colour ("#rrggbb").
#' @return The cluster.
pluto_update_annotation_cluster <- function(experiment_id, set_uuid, cluster,
                                            display_name = NULL, color = NULL) {
  body <- list()
  body$display_name <- display_name
  body$color <- color
  path <- pluto_annotation_sets_path(
    experiment_id, set_uuid, paste0("clusters/", pluto_path_part(as.character(cluster), "cluster"), "/")
  )
  pluto_send_object("PATCH", path, body)
}
