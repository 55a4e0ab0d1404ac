"""Web pages of pipelines and workflows (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
