"""Research programs in the Django admin (for operators)."""

from __future__ import annotations

from django.contrib import admin

from pluto.server.programs.models import Label, Program, ProgramAsset


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "program_type", "status", "created_at")
    list_filter = ("status", "program_type")
    search_fields = ("name", "goal")


@admin.register(ProgramAsset)
class ProgramAssetAdmin(admin.ModelAdmin):
    list_display = ("program", "kind", "experiment", "dimension", "created_at")
    list_filter = ("kind",)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "organization")
