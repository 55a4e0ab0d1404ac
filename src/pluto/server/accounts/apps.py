from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pluto.server.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"
