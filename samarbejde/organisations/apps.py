from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "samarbejde.organisations"
    label = "organisations"
    verbose_name = "Organisationer"

    def ready(self):
        from samarbejde.core.reference import register_reference_loader
        from samarbejde.organisations.reference import load_municipalities, load_other_organisations

        register_reference_loader("municipalities", load_municipalities, order=10)
        register_reference_loader("other units", load_other_organisations, order=20)
        from samarbejde.core.startpage import register_section
        from samarbejde.organisations.startpage import (
            directory_lookup_section,
            own_proposals_section,
            review_section,
        )

        register_section("directory.review", review_section, order=50)
        register_section("directory.own_proposals", own_proposals_section, order=80)
        register_section("directory.lookup", directory_lookup_section, order=90)
