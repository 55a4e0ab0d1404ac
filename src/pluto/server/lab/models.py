"""Projects, experiments, their reference tables, memberships and public id counters."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ShareLevel(models.TextChoices):
    PRIVATE = "private", "Private"
    SHAREABLE = "shareable", "Shareable"
    PUBLIC = "public", "Public"


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending"
    PENDING_COMPLETE = "pending_complete", "Pending complete"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class ReferenceEntry(models.Model):
    """A row of a reference table: a stable short name and what people read."""

    shortname = models.SlugField(max_length=50, unique=True)
    display_name = models.CharField(max_length=100)

    class Meta:
        abstract = True
        ordering = ["shortname"]

    def __str__(self) -> str:
        return self.display_name


class ExperimentType(ReferenceEntry):
    """The kind of assay: RNA-seq, ATAC-seq, proteomics, ..."""


class Organism(ReferenceEntry):
    """The species the samples come from."""


class AssayUnits(ReferenceEntry):
    """What the numbers of the assay matrix measure: raw counts, TPM, ..."""

    class Meta(ReferenceEntry.Meta):
        verbose_name_plural = "assay units"


class IdCounter(models.Model):
    """The last number handed out for a kind of public id (``PLXP``, ``PLX``)."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)


class Project(models.Model):
    """A group of experiments with its own members."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pluto_id = models.CharField(max_length=20, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    share_level = models.CharField(
        max_length=20, choices=ShareLevel.choices, default=ShareLevel.PRIVATE
    )
    is_archived = models.BooleanField(default=False)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="projects"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_projects"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.pluto_id} {self.name}"


class Experiment(models.Model):
    """One experiment: its annotations, assay matrix, files and analyses hang off it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pluto_id = models.CharField(max_length=20, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="experiments")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    type = models.ForeignKey(ExperimentType, on_delete=models.PROTECT)
    organism = models.ForeignKey(Organism, on_delete=models.PROTECT)
    assay_units = models.ForeignKey(AssayUnits, on_delete=models.PROTECT)
    share_level = models.CharField(
        max_length=20, choices=ShareLevel.choices, default=ShareLevel.PRIVATE
    )
    status = models.CharField(
        max_length=20, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    is_archived = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_experiments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_experiments"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.pluto_id} {self.name}"


class ProjectMember(models.Model):
    """A user's role on a project; it carries down to the project's experiments."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_role_per_project")
        ]


class ExperimentMember(models.Model):
    """A user's role on one experiment only."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experiment_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "user"], name="one_role_per_experiment")
        ]


class ProjectInvitation(models.Model):
    """A role on a project waiting for an account with this email to exist."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(db_index=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "email"], name="one_invitation_per_project")
        ]


class ExperimentInvitation(models.Model):
    """A role on one experiment waiting for an account with this email to exist."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(db_index=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "email"], name="one_invitation_per_experiment"
            )
        ]


class ProjectTeamShare(models.Model):
    """A team's role on a project: each of the team's members (not guests) gets it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team_shares")
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="project_shares")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "team"], name="one_role_per_project_team")
        ]


class ExperimentTeamShare(models.Model):
    """A team's role on one experiment only."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="team_shares")
    team = models.ForeignKey(
        "orgs.Team", on_delete=models.CASCADE, related_name="experiment_shares"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "team"], name="one_role_per_experiment_team"
            )
        ]
