# Pluto's R client: read an experiment's sample data, assay data and results into data frames,
# and follow its analyses.
#
# Load it straight from your Pluto server:
#
#   source(url("__PLUTO_SERVER_URL__/sdk/pluto.R"))
#   # or: devtools::source_url("__PLUTO_SERVER_URL__/sdk/pluto.R")
#   Sys.setenv(PLUTO_API_TOKEN = "<your-api-token>")
#   sample_data <- pluto_read("PLX140206", "sample")
#
# It needs the R packages httr, jsonlite and rjson (on Debian and Ubuntu:
# apt-get install r-cran-httr r-cran-jsonlite r-cran-rjson).
#
# Settings, read from the environment on every call:
#   PLUTO_API_TOKEN  your API token (Account page -> "+ API token"); required.
#   PLUTO_API_URL    the server; default __PLUTO_SERVER_URL__, the server this file came from.

# The server this file was served by; the server writes its own URL here.
pluto_served_by <- "__PLUTO_SERVER_URL__"
# Used when the file is read from a copy that no server filled in.
pluto_fallback_url <- "http://127.0.0.1:8000"
# Rows per request, as in Pluto's own R package.
pluto_page_size <- 10000
pluto_client_version <- "0.1.0"

pluto_check_packages <- function() {
  missing <- Filter(
    function(package) !requireNamespace(package, quietly = TRUE),
    c("httr", "jsonlite", "rjson")
  )
  if (length(missing) > 0) {
    stop(
      "Pluto's R client needs the R package(s) ", paste(missing, collapse = ", "), ". ",
      "Install them with install.packages(c(", paste0('"', missing, '"', collapse = ", "), ")) ",
      "or, on Debian and Ubuntu, apt-get install ",
      paste0("r-cran-", missing, collapse = " "), ".",
      call. = FALSE
    )
  }
  invisible(TRUE)
}
pluto_check_packages()

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

pluto_server_url <- function() {
  url <- Sys.getenv("PLUTO_API_URL", unset = "")
  if (!nzchar(url)) {
    url <- pluto_served_by
  }
  if (!grepl("^https?://", url)) {
    url <- pluto_fallback_url
  }
  sub("/+$", "", url)
}

pluto_token_help <- function() {
  paste0(
    "Create a token on the Account page of ", pluto_server_url(), "/account/ ",
    "(click \"+ API token\"), or ask your administrator to run ",
    "`pluto token create --user YOUR_EMAIL --name laptop`; then ",
    "Sys.setenv(PLUTO_API_TOKEN = \"<your-api-token>\") or put PLUTO_API_TOKEN=... ",
    "in your ~/.Renviron."
  )
}

# The token from PLUTO_API_TOKEN, checked before any request is sent: a Pluto key is exactly
# 40 ASCII letters and digits, so anything else is a copy-and-paste slip, never worth a call.
pluto_api_token <- function() {
  token <- Sys.getenv("PLUTO_API_TOKEN", unset = "")
  if (!nzchar(token)) {
    stop("PLUTO_API_TOKEN is not set. ", pluto_token_help(), call. = FALSE)
  }
  if (!grepl("^[A-Za-z0-9]{40}$", token, perl = TRUE)) {
    stop(
      "PLUTO_API_TOKEN does not look like a Pluto API token: a token is exactly 40 letters ",
      "and digits, with no spaces or quotes (this one has ", nchar(token, type = "bytes"),
      " characters). Copy it again, or create a new one. ", pluto_token_help(),
      call. = FALSE
    )
  }
  token
}

# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

pluto_path_part <- function(id, what) {
  if (!is.character(id) || length(id) != 1 || is.na(id) || !nzchar(id)) {
    stop(what, " must be a single id such as \"PLX140206\".", call. = FALSE)
  }
  utils::URLencode(id, reserved = TRUE)
}

pluto_format_count <- function(n) {
  formatC(n, format = "d", big.mark = "")
}

# A readable error from an API answer's JSON body: {"code", "message", "details"}.
pluto_stop_for_status <- function(response, url) {
  status <- httr::status_code(response)
  if (status < 400) {
    return(invisible(response))
  }
  text <- httr::content(response, as = "text", encoding = "UTF-8")
  body <- tryCatch(rjson::fromJSON(text), error = function(e) NULL)
  if (is.list(body) && !is.null(body$message)) {
    code <- if (is.null(body$code)) "error" else body$code
    details <- ""
    if (length(body$details) > 0) {
      details <- paste0(" Details: ", rjson::toJSON(body$details))
    }
    message <- paste0("Pluto API error ", status, " (", code, "): ", body$message, details)
    stop(pluto_api_condition(message, status, body$code, body$details))
  }
  message <- paste0("Pluto API error ", status, " from ", url, ": ", substr(text, 1, 200))
  stop(pluto_api_condition(message, status, NULL, NULL))
}

# The classes of an error answer, as Pluto's R package names them, so that
# tryCatch(..., pluto_not_found_error = function(e) NULL) works with either client. The code
# decides first (a 400 invalid_object_id is "not found"), then the status.
pluto_condition_classes <- function(status, code) {
  if (!is.null(code) && code %in% c("invalid_object_id", "object_not_found", "resource_not_found")) {
    return(c("pluto_not_found_error", "pluto_api_error"))
  }
  by_status <- switch(as.character(status),
    "400" = , "409" = , "422" = "pluto_validation_error",
    "401" = "pluto_auth_error",
    "403" = "pluto_permission_error",
    "404" = "pluto_not_found_error",
    "429" = "pluto_rate_limit_error",
    if (status >= 500) "pluto_server_error" else NULL
  )
  c(by_status, "pluto_api_error")
}

# An error condition carrying the answer's status, code and details.
pluto_api_condition <- function(message, status, code, details) {
  structure(
    class = c(pluto_condition_classes(status, code), "pluto_error", "error", "condition"),
    list(message = message, call = NULL, status_code = status, code = code, details = details)
  )
}

# Every request goes through here. `under` is the part of the path after the server
# ("lab/" for most families, "" for user/ and programs/). PLUTO_ORGANIZATION, when set,
# scopes the request to that organization (its uuid), as the Organization header does.
pluto_request <- function(method, path, query = list(), body = NULL, under = "lab/") {
  token <- pluto_api_token()
  url <- paste0(pluto_server_url(), "/", under, path)
  headers <- c(Authorization = paste("Token", token))
  organization <- Sys.getenv("PLUTO_ORGANIZATION", unset = "")
  if (nzchar(organization)) {
    headers <- c(headers, Organization = organization)
  }
  response <- tryCatch(
    httr::VERB(
      method, url,
      query = if (length(query) > 0) query else NULL,
      body = if (is.null(body)) NULL else rjson::toJSON(body),
      httr::add_headers(.headers = headers),
      httr::content_type_json(),
      httr::user_agent(paste0("pluto-r/", pluto_client_version)),
      httr::timeout(300)
    ),
    error = function(e) {
      stop(
        "Could not reach the Pluto server at ", pluto_server_url(), ": ", conditionMessage(e),
        " (is PLUTO_API_URL right?)",
        call. = FALSE
      )
    }
  )
  pluto_stop_for_status(response, url)
  httr::content(response, as = "text", encoding = "UTF-8")
}

pluto_get <- function(path, query = list(), under = "lab/") {
  pluto_request("GET", path, query = query, under = under)
}

# A JSON answer of a POST, PATCH or DELETE as plain nested lists (NULL for an empty body).
pluto_send_object <- function(method, path, body = NULL, under = "lab/") {
  text <- pluto_request(method, path, body = body, under = under)
  if (!nzchar(text)) {
    return(invisible(NULL))
  }
  rjson::fromJSON(text)
}

# An object answer (project, experiment, download link) as plain nested lists.
pluto_get_object <- function(path, query = list(), under = "lab/") {
  rjson::fromJSON(pluto_get(path, query, under = under))
}

# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

# The path of a table, without its last part: "experiments/<id>/sample-data/",
# "experiments/<id>/assay-data/" or "experiments/<id>/plots/<plot>/".
pluto_table_base <- function(experiment_id, data_type, plot_id) {
  experiment <- pluto_path_part(experiment_id, "experiment_id")
  if (!is.character(data_type) || length(data_type) != 1 ||
    !(data_type %in% c("sample", "assay", "results"))) {
    stop("data_type must be \"sample\", \"assay\" or \"results\".", call. = FALSE)
  }
  if (data_type == "results") {
    if (is.null(plot_id)) {
      stop(
        "Reading results needs plot_id: the id of the plot whose results to read ",
        "(shown in the plot's Methods, or listed at lab/experiments/", experiment_id,
        "/plots/).",
        call. = FALSE
      )
    }
    plot <- pluto_path_part(plot_id, "plot_id")
    return(paste0("experiments/", experiment, "/plots/", plot, "/"))
  }
  paste0("experiments/", experiment, "/", data_type, "-data/")
}

pluto_table_noun <- function(data_type) {
  switch(data_type,
    sample = "sample data",
    assay = "assay data",
    results = "results"
  )
}

# One column of a column-major page as a vector (JSON null -> NA). jsonlite has already made
# plain values atomic; a column of nested values stays a list column, as in row pages.
pluto_column_vector <- function(values) {
  if (length(values) == 0) {
    return(logical(0))
  }
  if (is.list(values)) {
    values[vapply(values, is.null, TRUE)] <- NA
    return(I(values))
  }
  values
}

# A data frame from an answer's columns, keeping the header names exactly.
pluto_frame_from_columns <- function(columns, headers) {
  names(columns) <- headers
  frame <- data.frame(columns, check.names = FALSE, stringsAsFactors = FALSE)
  names(frame) <- headers
  frame
}

pluto_empty_frame <- function(headers) {
  columns <- lapply(headers, function(h) logical(0))
  pluto_frame_from_columns(columns, headers)
}

# One page of a table as a data frame with the columns in header order. Items are either row
# objects keyed by header, or (for volcano_plot_v2 results) whole columns: items[[i]] is
# the column headers[i].
pluto_page_frame <- function(page) {
  headers <- as.character(unlist(page$headers))
  items <- page$items
  if (is.data.frame(items)) {
    for (header in setdiff(headers, names(items))) {
      items[[header]] <- rep(NA, nrow(items))
    }
    frame <- items[, headers, drop = FALSE]
    rownames(frame) <- NULL
    return(frame)
  }
  if (length(items) == 0) {
    return(pluto_empty_frame(headers))
  }
  if (length(items) != length(headers)) {
    stop(
      "The server sent a table page with ", length(headers), " headers but ",
      length(items), " columns.",
      call. = FALSE
    )
  }
  lengths <- vapply(items, length, 0L)
  if (length(unique(lengths)) != 1) {
    stop(
      "The server sent a table page whose columns have different lengths (",
      paste(unique(lengths), collapse = ", "), ").",
      call. = FALSE
    )
  }
  pluto_frame_from_columns(lapply(items, pluto_column_vector), headers)
}

pluto_table_page <- function(path, offset, limit) {
  query <- list(limit = pluto_format_count(limit), offset = pluto_format_count(offset))
  text <- pluto_get(path, query)
  page <- jsonlite::fromJSON(text, simplifyVector = TRUE, simplifyMatrix = FALSE)
  frame <- pluto_page_frame(page)
  count <- if (is.null(page$count)) nrow(frame) else page$count
  list(frame = frame, count = count)
}

pluto_check_limit <- function(limit) {
  if (is.null(limit)) {
    return(Inf)
  }
  if (!is.numeric(limit) || length(limit) != 1 || is.na(limit) || limit < 1 ||
    limit != floor(limit)) {
    stop("limit must be a whole number of rows, 1 or more (or NULL for all rows).", call. = FALSE)
  }
  limit
}

pluto_bind_pages <- function(frames) {
  frame <- if (length(frames) == 1) frames[[1]] else do.call(rbind, frames)
  rownames(frame) <- NULL
  frame
}

# The closing line of a read that took one page, or that "limit" cut short; the wording is
# that of Pluto's own R package.
pluto_report_rows <- function(count, cap, noun) {
  if (count <= cap) {
    message("All ", pluto_format_count(count), " rows of the ", noun, " were fetched.")
  } else {
    message(
      "Note: Data has ", pluto_format_count(count), " rows but only ", pluto_format_count(cap),
      " will be fetched due to the provided \"limit\" parameter.\n",
      "Increase or remove the \"limit\" parameter if more rows are desired."
    )
  }
}

# "Fetching rows 10001 to 20001...": the first row of the batch counted from 1, and that
# number plus the batch size (never past the last row), as Pluto's R package prints it.
pluto_report_batch <- function(offset, count) {
  first <- offset + 1
  message(
    "Fetching rows ", pluto_format_count(first), " to ",
    pluto_format_count(min(first + pluto_page_size, count)), "..."
  )
}

#' Read an experiment's sample data, assay data or a plot's results
#'
#' Pages through the table 10,000 rows at a time and binds the pages together.
#'
#' @param experiment_id The experiment, such as "PLX140206".
#' @param data_type "sample" (one row per sample), "assay" (one row per gene, one column
#'   per sample) or "results" (a plot's results table; needs plot_id).
#' @param plot_id The plot whose results to read, for data_type = "results".
#' @param limit At most this many rows (default: all of them).
#' @return A data.frame with the table's columns in order: numbers stay numeric, ids stay
#'   character, missing values are NA.
#' @examples
#' sample_data <- pluto_read("PLX140206", "sample")
#' results <- pluto_read("PLX140206", "results",
#'                       plot_id = "386b3bbf-fc86-4071-88c2-6340634cdc62")
pluto_read <- function(experiment_id, data_type, plot_id = NULL, limit = NULL) {
  base <- pluto_table_base(experiment_id, data_type, plot_id)
  path <- paste0(base, if (data_type == "results") "data/" else "")
  noun <- pluto_table_noun(data_type)
  cap <- pluto_check_limit(limit)

  first <- pluto_table_page(path, 0, min(pluto_page_size, cap))
  wanted <- min(first$count, cap)
  # A full read that needs more pages announces the paging and then each batch; a single
  # page, or a read that "limit" cut, gets one closing line instead.
  paging <- is.infinite(cap) && nrow(first$frame) < wanted
  if (paging) {
    message(
      "Paginating API calls to retrieve all ", pluto_format_count(wanted), " rows in the ",
      noun, " in batches of ", pluto_format_count(pluto_page_size), " rows..."
    )
  } else {
    pluto_report_rows(first$count, cap, noun)
  }
  frames <- pluto_read_rest(path, first, wanted, paging)
  pluto_bind_pages(frames)
}

# The first page and every later one up to `wanted` rows. Offsets are 0-based row numbers:
# the second page starts at row 10000.
pluto_read_rest <- function(path, first, wanted, paging) {
  frames <- list(first$frame)
  fetched <- nrow(first$frame)
  while (fetched < wanted) {
    if (paging) {
      pluto_report_batch(fetched, wanted)
    }
    page <- pluto_table_page(path, fetched, min(pluto_page_size, wanted - fetched))
    rows <- nrow(page$frame)
    if (rows == 0) {
      break # the table shrank while it was being read; return what there is
    }
    frames[[length(frames) + 1]] <- page$frame
    fetched <- fetched + rows
  }
  frames
}

# ---------------------------------------------------------------------------------------------
# Objects and downloads
# ---------------------------------------------------------------------------------------------

#' Get a project
#'
#' @param project_id The project, such as "PLXP00286" (or its UUID).
#' @return The project as a list (name, description, owner, experiments_count, ...).
#' @examples
#' project <- pluto_get_project("PLXP00286")
#' project$name
pluto_get_project <- function(project_id) {
  pluto_get_object(paste0("projects/", pluto_path_part(project_id, "project_id"), "/"))
}

#' Get an experiment
#'
#' @param experiment_id The experiment, such as "PLX140206" (or its UUID).
#' @return The experiment as a list (name, project, organism, type, status, ...).
#' @examples
#' experiment <- pluto_get_experiment("PLX140206")
#' experiment$type$display_name
pluto_get_experiment <- function(experiment_id) {
  pluto_get_object(paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/"))
}

#' Download a table as a CSV file
#'
#' Asks the server for a signed download link and saves the file it points to.
#'
#' @param experiment_id The experiment, such as "PLX140206".
#' @param data_type "sample", "assay" or "results" (results need plot_id).
#' @param plot_id The plot whose results to download, for data_type = "results".
#' @param dest Where to save the file (default: the server's file name, in the working
#'   directory).
#' @return The path of the saved file.
#' @examples
#' path <- pluto_download("PLX140206", "assay")
#' counts <- read.csv(path, check.names = FALSE)
pluto_download <- function(experiment_id, data_type, plot_id = NULL, dest = NULL) {
  base <- pluto_table_base(experiment_id, data_type, plot_id)
  path <- paste0(base, "download/")
  query <- if (is.null(dest)) list() else list(filename = basename(dest))
  link <- pluto_get_object(path, query)
  if (is.null(link$url)) {
    stop("There is nothing to download yet: the plot has no results table.", call. = FALSE)
  }
  if (is.null(dest)) {
    name <- link$filename
    if (is.null(name)) {
      name <- paste0(experiment_id, "_", data_type, ".csv")
    }
    dest <- file.path(getwd(), basename(name))
  }
  # The link is signed and needs no token; leaving the token out keeps it off any other host.
  response <- httr::GET(link$url, httr::write_disk(dest, overwrite = TRUE), httr::timeout(600))
  if (httr::status_code(response) >= 400) {
    unlink(dest)
    stop("Downloading ", link$url, " failed with HTTP ", httr::status_code(response), ".",
      call. = FALSE
    )
  }
  message("Saved the ", pluto_table_noun(data_type), " of ", experiment_id, " to ", dest, ".")
  dest
}

# ---------------------------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------------------------

# The pipeline_status values an analysis ends in; "completed" is the only success.
pluto_analysis_terminal <- c("completed", "failed", "unprocessable", "canceled")

pluto_analysis_path <- function(experiment_id, analysis_uuid, rest = "") {
  paste0(
    "experiments/", pluto_path_part(experiment_id, "experiment_id"),
    "/analyses/", pluto_path_part(analysis_uuid, "analysis_uuid"), "/", rest
  )
}

#' Get an analysis
#'
#' @param experiment_id The experiment, such as "PLX140206".
#' @param analysis_uuid The analysis (its uuid, from POST .../analyses/ or the analyses list).
#' @return The analysis as a list: status, pipeline_status, progress, message, methods, ...
#' @examples
#' analysis <- pluto_get_analysis("PLX140206", "0f5c...")
#' analysis$pipeline_status
pluto_get_analysis <- function(experiment_id, analysis_uuid) {
  pluto_get_object(pluto_analysis_path(experiment_id, analysis_uuid))
}

#' A page of an analysis's results table
#'
#' @param offset,limit Which rows (0-based offset; default 100 rows).
#' @param search Only rows whose ids (gene, sample, gene set, peak) contain this.
#' @param sort_by A results column in snake_case, "-" in front for descending, "abs_" for
#'   the absolute value, such as "-abs_log2_fold_change".
#' @return A list with headers, count (rows that match) and items (the page's rows).
pluto_get_analysis_summary <- function(experiment_id, analysis_uuid, offset = 0, limit = 100,
                                       search = NULL, sort_by = NULL) {
  query <- list(offset = pluto_format_count(offset), limit = pluto_format_count(limit))
  query$search <- search
  query$sort_by <- sort_by
  pluto_get_object(pluto_analysis_path(experiment_id, analysis_uuid, "summary/"), query)
}

#' The headline numbers of a finished analysis
#'
#' @return A named list (for differential expression: genes_tested, genes_up, genes_down at
#'   alpha; for principal components: variance_explained; empty until it is complete).
pluto_get_analysis_stats <- function(experiment_id, analysis_uuid) {
  pluto_get_object(pluto_analysis_path(experiment_id, analysis_uuid, "stats/"))
}

#' A signed link to an analysis's results (a CSV spreadsheet) or its figure (a PNG)
#'
#' @param kind "spreadsheet" or "image".
#' @return The URL: it needs no token and expires (one hour by default).
pluto_get_analysis_signed_url <- function(experiment_id, analysis_uuid,
                                          kind = c("spreadsheet", "image")) {
  kind <- match.arg(kind)
  rest <- paste0(kind, "-analysis-signed-url/")
  pluto_get_object(pluto_analysis_path(experiment_id, analysis_uuid, rest))$url
}

#' Wait until an analysis has finished
#'
#' Asks for the analysis every poll_interval seconds until its pipeline_status is terminal:
#' "completed", "failed", "unprocessable" (the data cannot be analysed with these
#' parameters: see $message) or "canceled".
#'
#' @param poll_interval Seconds between two looks (default 5).
#' @param timeout Give up with an error after this many seconds (default one hour; Inf waits
#'   for ever).
#' @param progress TRUE to print each change of status.
#' @return The finished analysis; check $pipeline_status == "completed" for success.
#' @examples
#' analysis <- pluto_wait_for_analysis("PLX140206", "0f5c...", progress = TRUE)
pluto_wait_for_analysis <- function(experiment_id, analysis_uuid, poll_interval = 5,
                                    timeout = 3600, progress = FALSE) {
  started <- Sys.time()
  last <- ""
  repeat {
    analysis <- pluto_get_analysis(experiment_id, analysis_uuid)
    status <- if (is.null(analysis$pipeline_status)) "" else analysis$pipeline_status
    if (progress && !identical(status, last)) {
      message("Analysis ", analysis_uuid, ": ", status)
    }
    last <- status
    if (status %in% pluto_analysis_terminal) {
      return(analysis)
    }
    waited <- as.numeric(difftime(Sys.time(), started, units = "secs"))
    if (waited >= timeout) {
      stop(
        "The analysis ", analysis_uuid, " had not finished after ", timeout, " seconds ",
        "(its pipeline_status is ", status, "); call pluto_wait_for_analysis again, or give ",
        "it a larger timeout.",
        call. = FALSE
      )
    }
    Sys.sleep(poll_interval)
  }
}
