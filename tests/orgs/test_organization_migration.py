"""The migration that brings organizations to an existing installation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0001_initial"), ("lab", "0002_invitations"), ("orgs", "0001_initial")]


def latest() -> list[tuple[str, str]]:
    """Every app's last migration: where the rest of the suite expects the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_existing_projects_move_to_their_owners_personal_organizations() -> None:
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    user_model = old.get_model("accounts", "User")
    ada = user_model.objects.create(email="ada@example.org", first_name="Ada", last_name="L")
    bob = user_model.objects.create(email="bob@example.org")
    project_model = old.get_model("lab", "Project")
    for owner, pluto_id in ((ada, "PLXP00001"), (ada, "PLXP00002"), (bob, "PLXP00003")):
        project_model.objects.create(
            pluto_id=pluto_id, name=pluto_id, owner=owner, created_by=owner
        )
    after = latest()
    new = migrate(after).loader.project_state(after).apps
    projects = new.get_model("lab", "Project").objects.select_related("organization")
    homes = {p.pluto_id: (p.organization.name, p.organization.personal_of_id) for p in projects}
    assert homes == {
        "PLXP00001": ("Ada L (personal)", ada.pk),
        "PLXP00002": ("Ada L (personal)", ada.pk),
        "PLXP00003": ("bob@example.org (personal)", bob.pk),
    }
    members = new.get_model("orgs", "OrganizationMember").objects.order_by("user_id")
    assert [(m.user_id, m.role, m.is_default) for m in members] == [
        (ada.pk, "admin", True),
        (bob.pk, "admin", True),
    ]
