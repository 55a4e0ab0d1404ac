"""Pipeline runs, workflows and references in the admin: read them, change nothing by hand."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pluto.server.pipelines.models import PipelineRun, Reference, Workflow


class ReadOnly(admin.ModelAdmin):
    """Runs and workflows move only through their state machine."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PipelineRun)
class PipelineRunAdmin(ReadOnly):
    list_display = ("uuid", "experiment", "pipeline", "status", "created_at", "finished_at")
    list_filter = ("pipeline", "status")


@admin.register(Workflow)
class WorkflowAdmin(ReadOnly):
    list_display = ("uuid", "experiment", "name", "status", "is_archived", "created_at")
    list_filter = ("status", "is_archived")


@admin.register(Reference)
class ReferenceAdmin(ReadOnly):
    """References are added with ``pluto reference add``, which builds their index."""

    list_display = (
        "name",
        "organism",
        "kind",
        "status",
        "transcripts",
        "genes",
        "sequences",
        "genome_size",
        "created_at",
    )
    list_filter = ("status", "kind", "organism")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Deleting the row would leave its index in the object store with nothing naming it.
        return False
