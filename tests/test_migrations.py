"""The migrations shipped describe the models exactly, so `pluto migrate` builds every table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, verbosity=1)
    except SystemExit as missing:
        raise AssertionError(f"models changed without a migration:\n{out.getvalue()}") from missing
    assert "No changes detected" in out.getvalue()
