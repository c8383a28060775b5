from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "samarbejde.delivery"
    verbose_name = "Levering"
