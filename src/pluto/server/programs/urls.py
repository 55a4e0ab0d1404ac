"""Web pages of research programs (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
