from django.apps import AppConfig


class SetsConfig(AppConfig):
    name = "pluto.server.sets"
    label = "sets"
    verbose_name = "Biomarker and biomodel sets"
