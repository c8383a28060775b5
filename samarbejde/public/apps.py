from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "samarbejde.public"
    label = "public"
    verbose_name = "Offentlig information"
