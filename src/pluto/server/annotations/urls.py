"""Web pages of annotation sets (outside the JSON API)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
