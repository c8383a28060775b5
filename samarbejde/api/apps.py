from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "samarbejde.api"
    label = "api"
    verbose_name = "API"
