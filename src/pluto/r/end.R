# source(url(...)) reads this file but never destroys the url() connection, so R would warn
# "closing unused connection" at some later garbage collection. source() has read every line
# before it runs any, so the connection can be closed here.
pluto_close_source_connection <- function() {
  connections <- showConnections(all = TRUE)
  for (number in rownames(connections)) {
    if (as.integer(number) > 2 &&
      grepl("/sdk/pluto\\.R/?$", connections[number, "description"])) {
      close(getConnection(as.integer(number)))
    }
  }
  invisible(NULL)
}
pluto_close_source_connection()
