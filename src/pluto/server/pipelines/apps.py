from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pluto.server.pipelines"
    label = "pipelines"
    verbose_name = "Pipelines and workflows"
