from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "samarbejde.organisations"
    label = "organisations"
    verbose_name = "Organisationer"
