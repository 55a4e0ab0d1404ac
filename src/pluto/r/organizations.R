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

# ---------------------------------------------------------------------------------------------
# Organization members and teams
# ---------------------------------------------------------------------------------------------

# "organizations/<org>/<parts>/" under user/.
pluto_organization_path <- function(organization, ...) {
  parts <- c(organization, ...)
  encoded <- vapply(parts, function(p) utils::URLencode(as.character(p), reserved = TRUE), "")
  paste0("organizations/", paste0(encoded, "/", collapse = ""))
}

# Every item of a {count, items} list under user/, 1000 a page.
pluto_organization_items <- function(path) {
  items <- list()
  repeat {
    page <- pluto_get_object(path, query = list(limit = 1000, offset = length(items)), under = "user/")
    items <- c(items, page$items)
    if (length(page$items) == 0 || length(items) >= page$count) break
  }
  items
}

# Members as a data frame: uuid, email, first_name, last_name and role ("" for a team's).
pluto_members_frame <- function(items) {
  data.frame(
    uuid = vapply(items, function(m) m$user$uuid, ""),
    email = vapply(items, function(m) m$user$email, ""),
    first_name = vapply(items, function(m) m$user$first_name, ""),
    last_name = vapply(items, function(m) m$user$last_name, ""),
    role = vapply(items, function(m) if (is.null(m$role)) "" else m$role, ""),
    stringsAsFactors = FALSE
  )
}

#' Create an organization, with you as its admin
#'
#' @param name The organization's name.
#' @return The organization: uuid, name, role ("admin"), is_default, created_at.
#' @examples
#' lab <- pluto_create_organization("Tumour biology lab")
pluto_create_organization <- function(name) {
  pluto_send_object("POST", "organizations/", list(name = name), under = "user/")
}

#' The members of an organization and their roles
#'
#' @param organization The organization's uuid.
#' @return A data frame: uuid, email, first_name, last_name, role.
#' @examples
#' pluto_get_organization_members(lab$uuid)
pluto_get_organization_members <- function(organization) {
  pluto_members_frame(pluto_organization_items(pluto_organization_path(organization, "members")))
}

#' Add someone to an organization by email (admins only)
#'
#' @param organization The organization's uuid.
#' @param email The person's email; without a Pluto account yet, they are invited and join on signing up.
#' @param role "admin", "member" or "guest" (guests see only what is shared with them).
#' @return The member: user and role.
pluto_add_organization_member <- function(organization, email, role = "member") {
  path <- pluto_organization_path(organization, "members")
  pluto_send_object("POST", path, list(email = email, role = role), under = "user/")
}

#' Change a member's role in an organization (admins only)
#'
#' @param organization The organization's uuid.
#' @param user_uuid The member's uuid (see pluto_get_organization_members()).
#' @param role "admin", "member" or "guest".
pluto_update_organization_member <- function(organization, user_uuid, role) {
  path <- pluto_organization_path(organization, "members", user_uuid)
  pluto_send_object("PATCH", path, list(role = role), under = "user/")
}

#' Remove a member from an organization (admins), or leave it yourself
pluto_remove_organization_member <- function(organization, user_uuid) {
  path <- pluto_organization_path(organization, "members", user_uuid)
  pluto_send_object("DELETE", path, under = "user/")
}

#' The teams of an organization
#'
#' @param organization The organization's uuid.
#' @return A data frame: uuid, name, member_count.
pluto_get_teams <- function(organization) {
  items <- pluto_organization_items(pluto_organization_path(organization, "teams"))
  data.frame(
    uuid = vapply(items, function(t) t$uuid, ""),
    name = vapply(items, function(t) t$name, ""),
    member_count = vapply(items, function(t) as.integer(t$member_count), 0L),
    stringsAsFactors = FALSE
  )
}

#' Create a team in an organization (admins only)
#'
#' @return The team: uuid, name, member_count, created_at.
pluto_create_team <- function(organization, name) {
  path <- pluto_organization_path(organization, "teams")
  pluto_send_object("POST", path, list(name = name), under = "user/")
}

#' The members of a team
#'
#' @return A data frame: uuid, email, first_name, last_name, role (empty).
pluto_get_team_members <- function(organization, team_uuid) {
  path <- pluto_organization_path(organization, "teams", team_uuid, "members")
  pluto_members_frame(pluto_organization_items(path))
}

#' Add a member (not a guest) of the organization to a team (admins only)
pluto_add_team_member <- function(organization, team_uuid, email) {
  path <- pluto_organization_path(organization, "teams", team_uuid, "members")
  pluto_send_object("POST", path, list(email = email), under = "user/")
}

#' Take someone out of a team (admins only)
pluto_remove_team_member <- function(organization, team_uuid, user_uuid) {
  path <- pluto_organization_path(organization, "teams", team_uuid, "members", user_uuid)
  pluto_send_object("DELETE", path, under = "user/")
}

#' Share a project with a team of its organization; its members get the role
#'
#' @param project_id Pluto project ID (e.g. PLXP00286) or UUID.
#' @param team_uuid The team's uuid.
#' @param role "viewer", "editor" or "owner".
pluto_share_project_with_team <- function(project_id, team_uuid, role = "viewer") {
  path <- paste0("projects/", pluto_path_part(project_id, "project_id"), "/teams/")
  pluto_send_object("POST", path, list(team = team_uuid, role = role))
}
