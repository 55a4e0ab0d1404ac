from django.apps import AppConfig


class AnalysesConfig(AppConfig):
    name = "pluto.server.analyses"
    label = "analyses"
    verbose_name = "Analyses and plots"
