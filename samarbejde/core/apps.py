from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samarbejde.core"
    label = "core"
    verbose_name = "Kerne"
