"""What the client commands share: the SDK client from the usual settings, errors as one line,
and ``--json`` output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pluto.client.errors import PlutoError

if TYPE_CHECKING:
    from pluto.client.client import Client

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def api_command(function: F) -> F:
    """Turn SDK errors into a one-line message and exit code 1 (bad arguments: code 2)."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        """The command, with SDK errors reported instead of raised."""
        try:
            return function(*args, **kwargs)
        except PlutoError as error:
            report(error)
            raise SystemExit(1) from None
        except ValueError as error:
            raise click.UsageError(str(error)) from None

    return run  # type: ignore[return-value]


def make_client(url: str | None = None, token: str | None = None) -> Client:
    """A client from the arguments, the environment, ``.env`` or the saved login."""
    from pluto.client.client import Client

    return Client(url, token)


def print_json(data: Any) -> None:
    """Data as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, default=str))


def report(error: PlutoError) -> None:
    """The error on standard error: one line, then one line per problem the server listed."""
    problems = error.details.get("problems")
    click.echo(f"Error: {error}", err=True)
    if isinstance(problems, list) and len(problems) > 1:
        for problem in problems:
            if isinstance(problem, dict):
                click.echo(f"  {problem.get('field')}: {problem.get('message')}", err=True)
