from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "samarbejde.people"
    label = "people"
    verbose_name = "Personer"

    def ready(self):
        from samarbejde.core.periodic import register_periodic

        # Access that ends (ADR 0008): close the links whose rule says their time is up.
        register_periodic(
            "samarbejde.people.tasks.links_close_expired", every_seconds=3600, setting="LINK_SWEEP_SECONDS"
        )
