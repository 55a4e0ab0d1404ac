# ---------------------------------------------------------------------------------------------
# Plots, their results and external plots, in the names of Pluto's R package
# ---------------------------------------------------------------------------------------------

pluto_plot_path <- function(experiment_id, plot_id, rest = "") {
  paste0(
    "experiments/", pluto_path_part(experiment_id, "experiment_id"),
    "/plots/", pluto_path_part(plot_id, "plot_id"), "/", rest
  )
}

#' List the plots of an experiment
#'
#' @return A list with count and items (each plot with uuid, analysis_type, status,
#'   analysis and display).
pluto_get_experiment_plots <- function(experiment_id) {
  path <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/plots/")
  pluto_with_status(pluto_get_object(path))
}

#' What a plot shows: its analysis and display
#'
#' @return A list with response_status_code and plot_details: analysis_type,
#'   analysis_status (the analysis' pipeline_status), analysis_version, plot_type (the
#'   display type) and plot_title (the display's title, or else the analysis' name).
pluto_get_plot <- function(experiment_id, plot_id, silent = FALSE) {
  plot <- pluto_get_object(pluto_plot_path(experiment_id, plot_id))
  title <- plot$display$plot_title
  if (is.null(title) || !nzchar(title)) {
    title <- plot$analysis$name
  }
  details <- list(
    analysis_type = plot$analysis_type,
    analysis_status = plot$analysis$pipeline_status,
    analysis_version = plot$analysis$pipeline_version,
    plot_type = plot$display$display_type,
    plot_title = title
  )
  list(response_status_code = 200L, plot_details = details)
}

#' Read a plot's results table, with the status of the request
#'
#' @param limit At most this many rows (default 100000).
#' @return A list with response_status_code and df, the results as a data frame.
pluto_get_results <- function(experiment_id, plot_id, limit = 100000, silent = FALSE) {
  df <- pluto_quietly(silent, pluto_read(experiment_id, "results", plot_id = plot_id, limit = limit))
  list(response_status_code = 200L, df = df)
}

#' Read a plot's results table into a data frame
pluto_read_results <- function(experiment_id, plot_id, silent = FALSE) {
  pluto_get_results(experiment_id, plot_id, silent = silent)$df
}

#' Save a plot's results table as a CSV file
#'
#' @param dest_filename Where to save it (default "<experiment>_<plot type>.csv").
#' @return The path of the saved file.
pluto_download_results <- function(experiment_id, plot_id, dest_filename = NULL) {
  if (is.null(dest_filename)) {
    plot_type <- pluto_get_plot(experiment_id, plot_id)$plot_details$plot_type
    dest_filename <- paste0(experiment_id, "_", plot_type, ".csv")
  }
  pluto_download(experiment_id, "results", plot_id = plot_id, dest = dest_filename)
}

# Send a file's bytes to an upload session's URL in one request (the URL is the secret: no
# token goes with it).
pluto_put_upload <- function(session_url, file_path, size) {
  response <- httr::PUT(
    session_url,
    body = httr::upload_file(file_path, type = "application/octet-stream"),
    httr::add_headers(`Content-Range` = paste0("bytes 0-", size - 1, "/", size)),
    httr::timeout(600)
  )
  pluto_stop_for_status(response, session_url)
}

#' Upload a file to an experiment
#'
#' @param file_path The file; its name (spaces made underscores) is kept.
#' @param data_type The file's kind (default "external": a plot's display, results or script).
#' @return The stored file: uuid, filename, data_type, file_size, ...
pluto_upload_experiment_file <- function(experiment_id, file_path, data_type = "external") {
  if (!file.exists(file_path)) {
    stop("No file ", file_path, ".", call. = FALSE)
  }
  size <- file.info(file_path)$size
  name <- gsub("\\s", "_", basename(file_path))
  extension <- sub("^.*\\.", "", if (grepl("\\.", name)) name else "")
  body <- list(filename = name, data_type = data_type, file_type = extension,
               file_size = size, origin = "R")
  path <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/upload-sessions/")
  session <- pluto_send_object("POST", path, body)
  pluto_put_upload(session$session_url, file_path, size)
  session$file
}

# The body of an external plot: name, methods and the uploaded files' ids.
pluto_external_plot_body <- function(experiment_id, name, methods, files) {
  body <- list(origin = "R")
  body$name <- name
  body$methods <- methods
  for (role in names(files)) {
    if (!is.null(files[[role]])) {
      body[[paste0(role, "_file_id")]] <- pluto_upload_experiment_file(experiment_id, files[[role]])$uuid
    }
  }
  body
}

#' Add a plot made elsewhere (an HTML or image figure, its results, its script)
#'
#' @param analysis_name The plot's name.
#' @param analysis_methods How it was made (optional).
#' @param display_file_path,results_file_path,script_file_path Files to upload (optional);
#'   a results CSV becomes the plot's results table.
#' @return The new plot.
pluto_create_external_plot <- function(experiment_id, analysis_name, analysis_methods = NULL,
                                       display_file_path = NULL, results_file_path = NULL,
                                       script_file_path = NULL) {
  files <- list(display = display_file_path, results = results_file_path, script = script_file_path)
  body <- pluto_external_plot_body(experiment_id, analysis_name, analysis_methods, files)
  path <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/external/plots/")
  plot <- pluto_send_object("POST", path, body)
  message("External plot created successfully!")
  plot
}

#' Change a plot made elsewhere: its name, methods or files
#'
#' @param analysis_name,plot_methods Older names of name and methods.
#' @return The changed plot.
pluto_update_external_plot <- function(experiment_id, plot_id, name = NULL, methods = NULL,
                                       display_file_path = NULL, results_file_path = NULL,
                                       script_file_path = NULL, analysis_name = NULL,
                                       plot_methods = NULL) {
  if (is.null(name)) name <- analysis_name
  if (is.null(methods)) methods <- plot_methods
  files <- list(display = display_file_path, results = results_file_path, script = script_file_path)
  body <- pluto_external_plot_body(experiment_id, name, methods, files)
  path <- paste0(
    "experiments/", pluto_path_part(experiment_id, "experiment_id"),
    "/external/plots/", pluto_path_part(plot_id, "plot_id"), "/"
  )
  plot <- pluto_send_object("PUT", path, body)
  message("External plot updated successfully!")
  plot
}

#' Add a plot made elsewhere (the older name of pluto_create_external_plot)
pluto_add_experiment_plot <- function(experiment_id, display_file_path, results_file_path = NULL,
                                      script_file_path = NULL, analysis_name = NULL,
                                      analysis_methods = NULL) {
  if (is.null(analysis_name)) analysis_name <- "External"
  pluto_create_external_plot(
    experiment_id, analysis_name, analysis_methods,
    display_file_path = display_file_path, results_file_path = results_file_path,
    script_file_path = script_file_path
  )
}

#' Upload a file for an analysis (the older upload function of Pluto's R package)
#'
#' @param analysis_id Accepted for Pluto's R package; the file belongs to the experiment.
#' @return The stored file.
upload_file <- function(experiment_id, analysis_id, file_path) {
  file <- pluto_upload_experiment_file(experiment_id, file_path)
  message("Upload successful!")
  file
}

#' What a plot shows, with the status of the request (the older name of pluto_get_plot)
#'
#' @return A list with status (status_code, code, message) and plot_details.
pluto_get_plot_details <- function(experiment_id, plot_id, silent = FALSE) {
  plot <- pluto_get_plot(experiment_id, plot_id, silent)
  list(status = list(status_code = 200L, code = NULL, message = NULL),
       plot_details = plot$plot_details)
}

#' Read a plot's results, with the status of the request (the older name of
#' pluto_get_results)
#'
#' @param ... Accepted for older calls that named a table_type; results are the only kind.
#' @return A list with status (status_code, code, message) and df.
pluto_get_experiment_results <- function(experiment_id, plot_id = NULL, silent = FALSE, ...) {
  if (is.null(plot_id)) {
    stop("plot_id param must be provided to fetch results", call. = FALSE)
  }
  df <- pluto_get_results(experiment_id, plot_id, silent = silent)$df
  list(status = list(status_code = 200L, code = NULL, message = NULL), df = df)
}

#' Read a plot's results from their CSV download (an older name of pluto_read_results)
pluto_read_result <- function(experiment_id, plot_id) {
  pluto_read_csv_download(experiment_id, "results", plot_id = plot_id)
}
