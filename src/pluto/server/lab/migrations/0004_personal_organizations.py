"""Every user gets a personal organization, and every existing project moves into its
owner's personal organization, so nothing changes for anyone.

Its own migration: PostgreSQL refuses to alter a table with pending deferred constraint
checks in the same transaction as these updates.
"""

from typing import Any

from django.db import migrations


def personal_organization(apps: Any, user: Any) -> Any:
    """The user's personal organization, created with them as its default admin."""
    organization_model = apps.get_model("orgs", "Organization")
    member_model = apps.get_model("orgs", "OrganizationMember")
    existing = organization_model.objects.filter(personal_of=user).first()
    if existing is not None:
        return existing
    name = f"{user.first_name} {user.last_name}".strip() or user.email
    organization = organization_model.objects.create(name=f"{name} (personal)", personal_of=user)
    member_model.objects.create(organization=organization, user=user, role="admin", is_default=True)
    return organization


def move_projects_to_personal_organizations(apps: Any, schema_editor: Any) -> None:
    user_model = apps.get_model("accounts", "User")
    project_model = apps.get_model("lab", "Project")
    for user in user_model.objects.all():
        organization = personal_organization(apps, user)
        project_model.objects.filter(owner=user).update(organization=organization)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("lab", "0003_project_organization"),
    ]

    operations = [
        migrations.RunPython(move_projects_to_personal_organizations, migrations.RunPython.noop),
    ]
