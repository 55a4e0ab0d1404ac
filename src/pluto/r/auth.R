# ---------------------------------------------------------------------------------------------
# Signing in: the API token of this R session
# ---------------------------------------------------------------------------------------------

pluto_is_valid_api_key <- function(api_key) {
  is.character(api_key) && length(api_key) == 1 && grepl("^[A-Za-z0-9]{40}$", api_key)
}

#' Use an API token for this session
#'
#' @param api_key The token (Account page -> "+ API token"): 40 letters and digits.
#' @param save_Renviron TRUE to add PLUTO_API_TOKEN=... to .Renviron in the working directory.
#' @param silent TRUE for no welcome message.
#' @return TRUE; an error for something that is not a token.
pluto_login <- function(api_key, save_Renviron = FALSE, silent = FALSE) {
  if (!pluto_is_valid_api_key(api_key)) {
    stop("Invalid API key: a Pluto API token is exactly 40 letters and digits.", call. = FALSE)
  }
  Sys.setenv(PLUTO_API_TOKEN = api_key)
  if (!silent) {
    message("Welcome! You're logged in.")
  }
  if (save_Renviron) {
    write(paste0("PLUTO_API_TOKEN=", api_key), file = ".Renviron", append = TRUE)
  }
  TRUE
}

#' Forget this session's API token
pluto_logout <- function(silent = FALSE) {
  Sys.setenv(PLUTO_API_TOKEN = "")
  if (!silent) {
    message("You're logged out")
  }
  TRUE
}

#' TRUE when PLUTO_API_TOKEN holds a token (checked locally, without a request)
#'
#' @param return_key TRUE to print the token too.
pluto_is_logged_in <- function(return_key = FALSE) {
  key <- Sys.getenv("PLUTO_API_TOKEN")
  if (!pluto_is_valid_api_key(key)) {
    return(FALSE)
  }
  if (return_key) {
    cat(key, "\n")
  }
  TRUE
}
