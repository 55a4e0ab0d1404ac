"""Web pages of biomarker and biomodel sets (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
