"""Web pages of search (outside the JSON API)."""

from django.urls import URLPattern, path

from pluto.server.search import pages

urlpatterns: list[URLPattern] = [
    path("search/", pages.search_page, name="search_page"),
]
