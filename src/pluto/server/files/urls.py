"""Plain Django routes of the files app (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
