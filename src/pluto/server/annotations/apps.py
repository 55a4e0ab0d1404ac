from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "pluto.server.annotations"
    label = "annotations"
    verbose_name = "Annotation sets"
