from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "pluto.server.files"
    label = "files"
    verbose_name = "Files and upload sessions"
