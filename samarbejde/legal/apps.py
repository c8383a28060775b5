from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "samarbejde.legal"
    label = "legal"
    verbose_name = "Retsgrundlag"
