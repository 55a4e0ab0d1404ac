"""Web pages of experiment history (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
