from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "pluto.server.history"
    label = "history"
    verbose_name = "Experiment history"
