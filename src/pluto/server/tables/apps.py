from django.apps import AppConfig


class TablesConfig(AppConfig):
    name = "pluto.server.tables"
    label = "tables"
    verbose_name = "Datasets: sample and assay tables"
