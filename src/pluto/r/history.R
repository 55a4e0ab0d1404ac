# ---------------------------------------------------------------------------------------------
# Experiment history
# ---------------------------------------------------------------------------------------------

#' The history of an experiment: who changed what, and when
#'
#' Fetches every event, newest first, page after page (100 a page), following the pages'
#' cursors: events recorded meanwhile do not shift them.
#'
#' @param experiment_id Pluto experiment ID (e.g. PLX140206) or UUID.
#' @param limit Stop after this many events (NULL for all of them).
#' @param cursor A next_cursor or previous_cursor of a page: then only that page, as the
#'   answer's envelope (items, next, previous, next_cursor, previous_cursor), as Pluto's R
#'   package returns it.
#' @return A data frame with one row per event: created_at, action, description,
#'   actor_email (empty for what Pluto did itself) and uuid.
#' @examples
#' history <- pluto_get_experiment_history("PLX140206", limit = 20)
#' head(history[, c("created_at", "actor_email", "description")])
pluto_get_experiment_history <- function(experiment_id, limit = NULL, cursor = NULL) {
  path <- paste0("experiments/", utils::URLencode(experiment_id, reserved = TRUE), "/history/")
  if (!is.null(cursor) && nzchar(cursor)) {
    return(pluto_get_object(path, query = list(cursor = cursor)))
  }
  rows <- list()
  cursor <- NULL
  repeat {
    page <- pluto_get_object(path, query = if (is.null(cursor)) list() else list(cursor = cursor))
    for (item in page$items) {
      if (!is.null(limit) && length(rows) >= limit) break
      actor <- item$actor
      rows[[length(rows) + 1]] <- data.frame(
        created_at = item$created_at,
        action = item$action,
        description = item$description,
        actor_email = if (is.null(actor)) "" else actor$email,
        uuid = item$uuid,
        stringsAsFactors = FALSE
      )
    }
    cursor <- page$next_cursor
    if (is.null(cursor) || (!is.null(limit) && length(rows) >= limit)) break
  }
  if (length(rows) == 0) {
    return(data.frame(
      created_at = character(), action = character(), description = character(),
      actor_email = character(), uuid = character(), stringsAsFactors = FALSE
    ))
  }
  do.call(rbind, rows)
}
