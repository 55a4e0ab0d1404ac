"""The Django admin for staff: projects, experiments and reference tables."""

from __future__ import annotations

from django.contrib import admin

from pluto.server.lab.models import (
    AssayUnits,
    Experiment,
    ExperimentMember,
    ExperimentType,
    Organism,
    Project,
    ProjectMember,
)


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0


class ExperimentMemberInline(admin.TabularInline):
    model = ExperimentMember
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("pluto_id", "name", "owner", "share_level", "is_archived", "created_at")
    search_fields = ("pluto_id", "name")
    inlines = [ProjectMemberInline]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("pluto_id", "name", "project", "type", "status", "is_archived")
    search_fields = ("pluto_id", "name")
    inlines = [ExperimentMemberInline]


for model in (ExperimentType, Organism, AssayUnits):
    admin.site.register(model)
