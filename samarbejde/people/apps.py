from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "samarbejde.people"
    label = "people"
    verbose_name = "Personer"
