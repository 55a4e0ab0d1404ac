# ---------------------------------------------------------------------------------------------
# Sample and assay tables, in the names of Pluto's R package
# ---------------------------------------------------------------------------------------------

pluto_check_table_type <- function(table_type) {
  if (!is.character(table_type) || length(table_type) != 1 ||
    !(table_type %in% c("sample", "assay"))) {
    stop("table_type must be \"sample\" or \"assay\".", call. = FALSE)
  }
  table_type
}

# Runs expr, keeping its messages off the console when silent is TRUE.
pluto_quietly <- function(silent, expr) {
  if (silent) suppressMessages(expr) else expr
}

#' Read a sample or assay table, with the status of the request
#'
#' @param table_type "sample" or "assay".
#' @param limit At most this many rows (NULL for all of them).
#' @param silent TRUE to print no progress.
#' @param paginated Accepted for Pluto's R package; tables are always read page by page.
#' @return A list with status_code (200) and df, the table as a data frame.
pluto_get_experiment_data <- function(experiment_id, table_type, limit = NULL, silent = FALSE,
                                      paginated = FALSE) {
  table_type <- pluto_check_table_type(table_type)
  df <- pluto_quietly(silent, pluto_read(experiment_id, table_type, limit = limit))
  list(status_code = 200L, df = df)
}

#' Read a sample or assay table into a data frame
pluto_read_data <- function(experiment_id, table_type, limit = NULL, silent = FALSE) {
  pluto_get_experiment_data(experiment_id, table_type, limit, silent)$df
}

#' Read the sample table (one row per sample, first column sample_id)
pluto_read_sample_data <- function(experiment_id, limit = NULL, silent = FALSE) {
  pluto_read_data(experiment_id, "sample", limit, silent)
}

#' Read the assay table (one row per feature, one column per sample)
pluto_read_assay_data <- function(experiment_id, limit = NULL, silent = FALSE) {
  pluto_read_data(experiment_id, "assay", limit, silent)
}

# Save a table as CSV, by default as <experiment>_<type>_data.csv in the working directory.
pluto_download_table <- function(experiment_id, table_type, dest_filename) {
  if (is.null(dest_filename)) {
    dest_filename <- paste0(experiment_id, "_", table_type, "_data.csv")
  }
  pluto_download(experiment_id, table_type, dest = dest_filename)
}

#' Save the sample table as a CSV file
#'
#' @param dest_filename Where to save it (default "<experiment>_sample_data.csv").
#' @return The path of the saved file.
pluto_download_sample_data <- function(experiment_id, dest_filename = NULL) {
  pluto_download_table(experiment_id, "sample", dest_filename)
}

#' Save the assay table as a CSV file
#'
#' @param dest_filename Where to save it (default "<experiment>_assay_data.csv").
#' @return The path of the saved file.
pluto_download_assay_data <- function(experiment_id, dest_filename = NULL) {
  pluto_download_table(experiment_id, "assay", dest_filename)
}

# A table read from its CSV download, as the older functions of Pluto's R package read it.
pluto_read_csv_download <- function(experiment_id, table_type, plot_id = NULL) {
  dest <- tempfile(fileext = ".csv")
  on.exit(unlink(dest))
  suppressMessages(pluto_download(experiment_id, table_type, plot_id = plot_id, dest = dest))
  utils::read.csv(dest, stringsAsFactors = FALSE)
}

#' Read the sample table from its CSV download (an older name of pluto_read_sample_data)
pluto_read_sample <- function(experiment_id) {
  pluto_read_csv_download(experiment_id, "sample")
}

#' Read the assay table from its CSV download (an older name of pluto_read_assay_data)
pluto_read_assay <- function(experiment_id) {
  pluto_read_csv_download(experiment_id, "assay")
}
