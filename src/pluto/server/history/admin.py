"""The Django admin shows history read-only: events are never changed or removed by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pluto.server.history.models import HistoryEvent


@admin.register(HistoryEvent)
class HistoryEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "experiment", "actor", "action", "description")
    list_filter = ("action",)
    search_fields = ("experiment__pluto_id", "description")
    readonly_fields = ("uuid", "experiment", "actor", "action", "description", "details")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
