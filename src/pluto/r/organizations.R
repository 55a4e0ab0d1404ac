# ---------------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------------

#' The organizations you belong to
#'
#' @return A list of organizations, each with uuid, name, role ("admin", "member" or
#'   "guest"), is_default and created_at. Pass a uuid to pluto_use_organization() to scope
#'   later calls to it.
#' @examples
#' organizations <- pluto_list_organizations()
#' sapply(organizations, function(o) o$name)
pluto_list_organizations <- function() {
  pluto_get_object("user/organizations/", under = "")
}

#' Scope every later call to one organization
#'
#' Sets PLUTO_ORGANIZATION, which every call sends as the Organization header. NULL clears
#' it, and your default organization applies again.
#'
#' @param organization An organization's uuid, or NULL.
#' @return The organization set, invisibly.
pluto_use_organization <- function(organization) {
  if (is.null(organization) || !nzchar(organization)) {
    Sys.unsetenv("PLUTO_ORGANIZATION")
    return(invisible(NULL))
  }
  Sys.setenv(PLUTO_ORGANIZATION = organization)
  invisible(organization)
}

#' The organization calls are scoped to, or NULL for your default one
pluto_current_organization <- function() {
  organization <- Sys.getenv("PLUTO_ORGANIZATION", unset = "")
  if (nzchar(organization)) organization else NULL
}
