from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "samarbejde.custody"
    verbose_name = "Frihedsberøvelse"

    def ready(self):
        # Custody's notices quote its codes; notifications shows them with custody's labels.
        from samarbejde.custody.models import CustodyType, ReleaseCertainty, ReleaseKind
        from samarbejde.notifications.registry import register_choices

        register_choices("custody_type", CustodyType.choices)
        register_choices("release_certainty", ReleaseCertainty.choices)
        register_choices("release_kind", ReleaseKind.choices)
