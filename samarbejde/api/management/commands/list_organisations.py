"""manage.py list_organisations: code, kind and name of every organisation (municipalities by 3-digit code)."""

from django.core.management.base import BaseCommand

from samarbejde.organisations.models import Organisation


class Command(BaseCommand):
    help = "Vis kode, type og navn for alle organisationer."

    def handle(self, *args, **options):
        organisations = Organisation.objects.order_by("kind", "code").values_list("code", "kind", "name", "is_active")
        rows = list(organisations)
        width = max((len(code) for code, *_ in rows), default=4)
        kind_width = max((len(kind) for _, kind, *_ in rows), default=4)
        for code, kind, name, is_active in rows:
            suffix = "" if is_active else " (inaktiv)"
            self.stdout.write(f"{code:<{width}}  {kind:<{kind_width}}  {name}{suffix}")
