# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------

#' Search projects or experiments
#'
#' @param query The words to find (names, descriptions, Pluto ids, sample-table values).
#' @param type "experiments" (default) or "projects".
#' @param access "shareable" (default: everything you may see) or "public".
#' @param offset,limit The page (limit default 24).
#' @return A list with count and items (best matches first), as the API answers.
pluto_search <- function(query, type = c("experiments", "projects"),
                         access = c("shareable", "public"), offset = 0, limit = 24) {
  type <- match.arg(type)
  access <- match.arg(access)
  if (is.null(query) || !is.character(query) || length(query) != 1 || !nzchar(query)) {
    stop("query is required and must be non-empty.", call. = FALSE)
  }
  pluto_get_object(
    "search/",
    list(query = query, type = type, access = access,
         offset = pluto_format_count(offset), limit = pluto_format_count(limit))
  )
}

#' Every match of a search
#'
#' @param page_size Matches per request (default 100).
#' @param max_results At most this many matches (default 10000).
#' @return The matching items as a list (no count).
pluto_search_all <- function(query, type = c("experiments", "projects"),
                             access = c("shareable", "public"), page_size = 100,
                             max_results = 10000) {
  type <- match.arg(type)
  access <- match.arg(access)
  results <- list()
  repeat {
    page <- pluto_search(query, type = type, access = access,
                         offset = length(results), limit = page_size)
    items <- if (is.null(page$items)) list() else page$items
    results <- c(results, items)
    total <- if (is.null(page$count)) 0 else page$count
    if (length(items) == 0 || length(results) >= min(total, max_results)) break
  }
  utils::head(results, max_results)
}
