from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class OrgsConfig(AppConfig):
    name = "pluto.server.orgs"
    label = "orgs"
    verbose_name = "Organizations and teams"

    def ready(self) -> None:
        from pluto.server.orgs.invitations import accept_invitations_of_new_user
        from pluto.server.orgs.services import give_new_user_a_personal_organization

        post_save.connect(give_new_user_a_personal_organization, sender=settings.AUTH_USER_MODEL)
        post_save.connect(accept_invitations_of_new_user, sender=settings.AUTH_USER_MODEL)
