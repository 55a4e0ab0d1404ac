from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "pluto.server.lab"
    label = "lab"
    verbose_name = "Projects and experiments"
