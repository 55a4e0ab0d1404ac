"""``pluto cleanup``: remove expired unfinished uploads and what crashed requests left behind;
``pluto serve`` also runs it hourly."""

from __future__ import annotations

import logging
import threading

import click

from pluto.cli.django_setup import migrate, setup_django

CLEANUP_INTERVAL_SECONDS = 3600
logger = logging.getLogger("pluto.cleanup")


def run_cleanup() -> list[str]:
    """Remove expired upload sessions, stray staging files and stale temporary files; what
    was removed."""
    from pluto.server.files.cleanup import remove_expired_uploads
    from pluto.server.ratelimits.counting import forget_closed_windows
    from pluto.server.scratch import remove_leftovers

    # Closed rate-limit windows are only bookkeeping, not an item anyone removed.
    forget_closed_windows()
    return remove_expired_uploads() + remove_leftovers()


@click.command("cleanup")
def cleanup_command() -> None:
    """Delete expired unfinished uploads, their staging files, and temporary files that a
    stopped server process left behind.

    Unfinished upload sessions expire after seven days (PLUTO_UPLOAD_SESSION_TTL); temporary
    files untouched for a day (PLUTO_TEMP_FILE_MAX_AGE) are left over. The server also runs
    this every hour.

    \b
    Example:
      pluto cleanup
    """
    setup_django()
    migrate()
    removed = run_cleanup()
    for line in removed:
        click.echo(line)
    click.echo(f"Cleanup done: {len(removed)} item(s) removed.")


def cleanup_forever(stop: threading.Event, interval: float = CLEANUP_INTERVAL_SECONDS) -> None:
    """Run the cleanup now and then every ``interval`` seconds until ``stop`` is set."""
    from django.db import connection

    while not stop.is_set():
        try:
            for line in run_cleanup():
                logger.info(line)
        except Exception:  # a failed run must not end the loop; the next hour tries again
            logger.exception("Cleaning up expired uploads failed.")
        finally:
            connection.close()  # this thread's own connection; do not hold it for an hour
        stop.wait(interval)


def start_periodic_cleanup() -> threading.Event:
    """Start the hourly cleanup in a daemon thread of the serving process; set the event to stop."""
    stop = threading.Event()
    thread = threading.Thread(
        target=cleanup_forever, args=(stop,), name="pluto-cleanup", daemon=True
    )
    thread.start()
    return stop
