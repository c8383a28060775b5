from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "samarbejde.notifications"
    verbose_name = "Underretninger"
