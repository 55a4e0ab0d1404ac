from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "pluto.server.programs"
    label = "programs"
    verbose_name = "Research programs"
