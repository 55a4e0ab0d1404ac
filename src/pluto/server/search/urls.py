"""Web pages of search (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
