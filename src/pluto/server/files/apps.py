from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "pluto.server.files"
    label = "files"
    verbose_name = "Files and upload sessions"

    def ready(self) -> None:
        from pluto.server.files import signals  # noqa: F401  (connects the receivers)
