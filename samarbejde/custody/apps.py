from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "samarbejde.custody"
    verbose_name = "Frihedsberøvelse"
