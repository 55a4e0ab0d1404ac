from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pluto.server.search"
    label = "search"
    verbose_name = "Search"
