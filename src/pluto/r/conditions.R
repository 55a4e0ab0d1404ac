# ---------------------------------------------------------------------------------------------
# Errors as classed conditions
# ---------------------------------------------------------------------------------------------
#
# Every error answer of the server stops with a condition of class pluto_api_error and one of
# pluto_validation_error, pluto_auth_error, pluto_permission_error, pluto_not_found_error,
# pluto_rate_limit_error or pluto_server_error, carrying $status_code, $code and $details.

#' Stop with a classed condition when an answer is an error
#'
#' @param response A list with response_status_code (and the answer's code, message,
#'   details), as Pluto's R package returns from its low-level calls.
#' @return The response, invisibly, when its status is a success.
pluto_check_response <- function(response) {
  status <- response$response_status_code
  if (is.null(status) || (status >= 200 && status < 300)) {
    return(invisible(response))
  }
  text <- if (is.null(response$message)) "Pluto API error" else response$message
  parts <- c(paste("HTTP", status), text, if (!is.null(response$code)) paste0("code=", response$code))
  stop(pluto_api_condition(paste(parts, collapse = " | "), status, response$code, response$details))
}

#' TRUE when a caught condition means "not found" (404, or an id that is not one)
pluto_is_not_found <- function(e) {
  inherits(e, "pluto_not_found_error")
}

#' TRUE when a caught condition is an error answer of the Pluto server
pluto_is_api_error <- function(e) {
  inherits(e, "pluto_api_error")
}
