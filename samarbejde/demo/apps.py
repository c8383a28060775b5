from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (users per role, a directory with content, cases in every stage), made through
    the real services of the apps below it. Never loaded in production. The top of the house: nothing imports it."""

    name = "samarbejde.demo"
    verbose_name = "Demodata"
