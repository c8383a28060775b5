from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "samarbejde.consent"
    verbose_name = "Samtykke"

    def ready(self):
        # The revocation notice quotes the categories; notifications shows them with their Danish labels.
        from samarbejde.consent.categories import DataCategory
        from samarbejde.notifications.registry import register_choices

        register_choices("consent_categories", DataCategory.choices)

        from samarbejde.consent.startpage import overrides_section
        from samarbejde.core.startpage import register_section

        register_section("consent.overrides", overrides_section, order=75)
