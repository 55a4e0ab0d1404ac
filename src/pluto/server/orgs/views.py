"""Web pages of organizations: the list with the create form, the switcher's target, and
each organization's "Users & Teams" page (its admins manage members and teams there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.orgs import invitations, management, services, session
from pluto.server.orgs.models import Organization, OrganizationInvitation, OrgRole
from pluto.server.web.forms import Done, errors_of, form_fields

Action = Callable[[HttpRequest, Organization, str], Done]


def organization_or_404(request: HttpRequest, raw_uuid: str) -> tuple[Organization, str]:
    """The organization the signed-in user is in, with their role; 404 otherwise."""
    try:
        return management.find_organization(request.user, raw_uuid)
    except PlutoError as error:
        raise Http404(error.message) from error


@login_required
@require_http_methods(["GET", "POST"])
def organization_list(request: HttpRequest) -> HttpResponse:
    """The user's organizations (GET) or a new one (POST)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            created = management.create(request.user, form_fields(request.POST, ("name",)))
        except PlutoError as error:
            errors = errors_of(error)
        else:
            messages.success(
                request, f"{created.organization.name} was created; you are its admin."
            )
            return redirect("organization_page", created.organization.uuid)
    services.default_organization(request.user)
    context = {
        "memberships": services.memberships_of(request.user),
        "errors": errors,
        "values": request.POST,
    }
    return render(request, "orgs/list.html", context, status=400 if errors else 200)


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    """Make the session work in the chosen organization, then go back where the user was."""
    raw = request.POST.get("organization", "").strip()
    if raw:
        organization, _ = organization_or_404(request, raw)
        session.choose(request, organization)
        messages.success(request, f"You are working in {organization.name}.")
    else:
        session.choose(request, None)
        messages.success(request, "You are working in all your organizations.")
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return redirect(target if safe and target else "project_list")


def add_member(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Add an account by email with a role."""
    data = form_fields(request.POST, ("email", "role"))
    added = management.add_member(role, organization, data)
    if isinstance(added, OrganizationInvitation):
        return Done(
            f"{added.email} has no account yet: they join as {added.role} when they sign up "
            "with that email."
        )
    return Done(f"{added.user.email} was added as {added.role}.")


def cancel_invitation(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Withdraw an invitation."""
    invitation = invitations.find(organization, request.POST.get("invitation", ""))
    management.cancel_invitation(role, organization, str(invitation.uuid))
    return Done(f"The invitation of {invitation.email} was withdrawn.")


def change_role(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Change a member's role."""
    data = form_fields(request.POST, ("role",))
    changed = management.change_role(role, organization, request.POST.get("user", ""), data)
    return Done(f"{changed.user.email} is now {changed.role}.")


def remove_member(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Remove a member, or leave."""
    membership = management.find_member(organization, request.POST.get("user", ""))
    management.remove_member(request.user, role, organization, str(membership.user.uuid))
    if membership.user_id == request.user.pk:
        return Done(f"You left {organization.name}.", reverse("organization_list"))
    return Done(f"{membership.user.email} was removed from {organization.name}.")


def create_team(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Create a team."""
    team = management.create_team(role, organization, form_fields(request.POST, ("name",)))
    return Done(f"The team {team.name} was created.")


def posted_team(request: HttpRequest, organization: Organization) -> Any:
    """The team a form names."""
    return management.find_team(organization, request.POST.get("team", ""))


def add_team_member(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Seat a member in a team."""
    team = posted_team(request, organization)
    seat = management.add_team_member(role, team, form_fields(request.POST, ("email",)))
    return Done(f"{seat.user.email} joined {team.name}.")


def remove_team_member(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Take someone out of a team."""
    team = posted_team(request, organization)
    management.remove_team_member(role, team, request.POST.get("user", ""))
    return Done(f"They left {team.name}.")


def delete_team(request: HttpRequest, organization: Organization, role: str) -> Done:
    """Delete a team."""
    team = posted_team(request, organization)
    management.delete_team(role, team)
    return Done(f"The team {team.name} was deleted.")


ACTIONS: dict[str, Action] = {
    "add_member": add_member,
    "cancel_invitation": cancel_invitation,
    "change_role": change_role,
    "remove_member": remove_member,
    "create_team": create_team,
    "add_team_member": add_team_member,
    "remove_team_member": remove_team_member,
    "delete_team": delete_team,
}


def page(
    request: HttpRequest,
    organization: Organization,
    role: str,
    errors: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Users & Teams page."""
    teams = [
        {"team": team, "seats": list(management.team_members(team))}
        for team in management.teams_of(organization)
    ]
    context = {
        "organization": organization,
        "my_role": role,
        "is_admin": role == OrgRole.ADMIN,
        "members": list(management.organization_members(organization)),
        "invitations": list(invitations.pending(organization)) if role == OrgRole.ADMIN else [],
        "teams": teams,
        "roles": OrgRole.choices,
        "errors": errors or {},
        "values": request.POST,
    }
    return render(request, "orgs/page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organization_page(request: HttpRequest, organization_id: str) -> HttpResponse:
    """Show the organization's members and teams (GET) or apply one change (POST)."""
    organization, role = organization_or_404(request, organization_id)
    if request.method == "GET":
        return page(request, organization, role)
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise InvalidInput("Unknown action.", details={"field": "action"})
        done = ACTIONS[action](request, organization, role)
    except PlutoError as error:
        return page(request, organization, role, {action: errors_of(error)}, error.status)
    messages.success(request, done.message)
    return redirect(done.location or reverse("organization_page", args=[organization.uuid]))
