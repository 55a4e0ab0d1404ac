from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate, post_save


class LabConfig(AppConfig):
    name = "pluto.server.lab"
    label = "lab"
    verbose_name = "Projects and experiments"

    def ready(self) -> None:
        from pluto.server.lab.members import accept_invitations_of_new_user
        from pluto.server.lab.reference import seed_reference_data

        # After every migrate (and every test-database flush) the reference rows exist.
        post_migrate.connect(seed_reference_data, sender=self)
        post_save.connect(accept_invitations_of_new_user, sender=settings.AUTH_USER_MODEL)
