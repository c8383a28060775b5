from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samarbejde.accounts"
    label = "accounts"
    verbose_name = "Brugere"
