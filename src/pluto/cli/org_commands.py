"""``pluto org …``: the administrator's organization commands, run against the database.

Like ``pluto user`` and ``pluto token`` they run on the server (no token needed); an
organization's own admins manage it on the web or under ``user/organizations/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pluto.cli.accounts_commands import open_database, service_call

if TYPE_CHECKING:
    from pluto.server.orgs.models import Organization

ROLES = ("admin", "member", "guest")


def organization_named(reference: str) -> Organization:
    """The organization with this uuid or exact name; a clear error otherwise."""
    import uuid

    from pluto.server.errors import InvalidInput
    from pluto.server.orgs.models import Organization

    try:
        found = Organization.objects.filter(uuid=uuid.UUID(reference))
    except ValueError:
        found = Organization.objects.filter(name=reference)
    matches = list(found[:2])
    if len(matches) != 1:
        problem = "No organization is" if not matches else "Several organizations are"
        raise InvalidInput(f"{problem} called {reference!r}; use its uuid (pluto org list).")
    return matches[0]


@click.group()
def org() -> None:
    """Create and list organizations and add their members.

    \b
    Example:
      pluto org create "Tumour biology lab" --admin ada@lab.org
      pluto org add-member "Tumour biology lab" grace@lab.org --role member
    """


@org.command("create")
@click.argument("name")
@click.option("--admin", "email", required=True, help="The email of its first admin.")
def create_organization(name: str, email: str) -> None:
    """Create an organization with a first admin, and print its uuid.

    \b
    Example:
      pluto org create "Tumour biology lab" --admin ada@lab.org
    """
    open_database()
    from pluto.server.accounts import services as accounts
    from pluto.server.orgs import services

    admin = service_call(accounts.find_user, email)
    created = service_call(services.create_organization, admin, name)
    click.echo(created.uuid)
    click.echo(f"Created {created.name} with {admin.email} as its admin.", err=True)


def organization_line(organization: Any) -> str:
    """``uuid, name, member count`` and ``personal`` for a personal one, tab-separated."""
    line = f"{organization.uuid}\t{organization.name}\t{organization.member_total} members"
    return line + ("\tpersonal" if organization.is_personal else "")


@org.command("list")
@click.option("--user", "email", default=None, help="Only the organizations of this user.")
@click.option("--personal", is_flag=True, help="Also list users' personal organizations.")
def list_organizations(email: str | None, personal: bool) -> None:
    """List organizations (uuid, name, members); with --user, that user's, with their role.

    \b
    Example:
      pluto org list
      pluto org list --user ada@lab.org
    """
    open_database()
    from django.db.models import Count

    from pluto.server.accounts import services as accounts
    from pluto.server.orgs.models import Organization

    organizations = Organization.objects.annotate(member_total=Count("memberships"))
    if email is not None:
        user = service_call(accounts.find_user, email)
        for membership in user.organization_memberships.select_related("organization"):
            counted = organizations.get(pk=membership.organization_id)
            click.echo(f"{organization_line(counted)}\t{membership.role}")
        return
    if not personal:
        organizations = organizations.filter(personal_of__isnull=True)
    for organization in organizations:
        click.echo(organization_line(organization))


@org.command("add-member")
@click.argument("organization")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
def add_member(organization: str, email: str, role: str) -> None:
    """Give the account with EMAIL a role in ORGANIZATION (its uuid or name).

    \b
    Example:
      pluto org add-member "Tumour biology lab" grace@lab.org --role guest
    """
    open_database()
    from pluto.server.accounts import services as accounts
    from pluto.server.orgs import management, services

    found = service_call(organization_named, organization)
    service_call(management.require_shared, found)
    member = service_call(accounts.find_user, email)
    service_call(services.add_member, found, member, role)
    click.echo(f"{member.email} is now {role} of {found.name}.")


@org.command("members")
@click.argument("organization")
def list_members(organization: str) -> None:
    """List the members of ORGANIZATION (its uuid or name) with their roles.

    \b
    Example:
      pluto org members "Tumour biology lab"
    """
    open_database()
    from pluto.server.orgs import management

    found = service_call(organization_named, organization)
    for membership in management.organization_members(found):
        click.echo(f"{membership.user.email}\t{membership.role}")


COMMANDS: list[click.Command] = [org]
