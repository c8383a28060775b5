from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "samarbejde.legal"
    label = "legal"
    verbose_name = "Retsgrundlag"

    def ready(self):
        from samarbejde.core.reference import register_reference_loader
        from samarbejde.legal.reference import load_acts

        register_reference_loader("acts", load_acts, order=30)
