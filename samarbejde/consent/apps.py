from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "samarbejde.consent"
    verbose_name = "Samtykke"
