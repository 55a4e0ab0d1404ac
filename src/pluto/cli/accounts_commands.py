"""``pluto user …`` and ``pluto token …``: the administrator's account commands."""

from __future__ import annotations

import sys

import click

from pluto.cli.django_setup import migrate, setup_django


def service_call(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run a service function; an expected failure exits 1 with its message."""
    from pluto.server.errors import PlutoError

    try:
        return function(*args, **kwargs)
    except PlutoError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)


def open_database() -> None:
    """Start Django and bring the database up to date, so a fresh data directory works."""
    setup_django()
    migrate()


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at a prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin was given but standard input is empty.")
        return password
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def user() -> None:
    """Create and list user accounts.

    \b
    Example:
      pluto user create --email ada@lab.org --first-name Ada --last-name Lovelace
    """


@user.command("create")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--staff", is_flag=True, help="Let the user use the admin pages at /admin/.")
def create_user(
    email: str, first_name: str, last_name: str, password_stdin: bool, staff: bool
) -> None:
    """Create a user who can sign in.

    \b
    Example:
      pluto user create --email ada@lab.org --first-name Ada --last-name Lovelace
    """
    open_database()
    from pluto.server.accounts import services

    password = read_password(password_stdin)
    created = service_call(
        services.create_user, email, first_name, last_name, password, is_staff=staff
    )
    click.echo(f"Created {created.email} ({created.get_full_name()}).")


@user.command("list")
def list_users() -> None:
    """List user accounts.

    \b
    Example:
      pluto user list
    """
    open_database()
    from pluto.server.accounts.models import User

    for account in User.objects.order_by("email"):
        flags = " staff" if account.is_staff else ""
        flags += "" if account.is_active else " inactive"
        click.echo(f"{account.email}\t{account.get_full_name()}{flags}")


@click.group()
def token() -> None:
    """Create, list and delete API tokens for a user.

    \b
    Example:
      pluto token create --user ada@lab.org --name laptop
    """


@token.command("create")
@click.option("--user", "email", required=True, help="The user's email.")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--expires-in", type=click.IntRange(1, 3650), default=None, help="Days until it expires."
)
def create_token(email: str, name: str, expires_in: int | None) -> None:
    """Create a token and print its key (shown this once only).

    \b
    Example:
      pluto token create --user ada@lab.org --name laptop --expires-in 90
    """
    open_database()
    from pluto.server.accounts import services

    owner = service_call(services.find_user, email)
    new = service_call(services.create_token, owner, name, expires_in)
    click.echo(new.key)
    click.echo(
        f"Token '{new.token.name}' ({new.token.uuid}) for {owner.email}; "
        "store the key now, it is not shown again.",
        err=True,
    )


@token.command("list")
@click.option("--user", "email", required=True, help="The user's email.")
def list_tokens(email: str) -> None:
    """List a user's tokens (id, name, key prefix…last four, dates).

    \b
    Example:
      pluto token list --user ada@lab.org
    """
    open_database()
    from pluto.server.accounts import services

    owner = service_call(services.find_user, email)
    for item in services.tokens_of(owner):
        used = item.last_used_at.isoformat() if item.last_used_at else "never"
        expires = item.expires_at.isoformat() if item.expires_at else "never"
        click.echo(f"{item.uuid}\t{item.name}\t{item.masked}\tlast used {used}\texpires {expires}")


@token.command("delete")
@click.argument("token_id")
def delete_token(token_id: str) -> None:
    """Delete a token by its id; it is refused from the next request on.

    \b
    Example:
      pluto token delete 2f1c9a8e-5d7b-4c1e-9f3a-0b6d2e4a8c11
    """
    open_database()
    from pluto.server.accounts import services

    deleted = service_call(services.delete_token, token_id)
    click.echo(f"Deleted token '{deleted.name}' of {deleted.user.email}.")
