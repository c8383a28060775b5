"""manage.py create_api_key ORGANISATION --scope SCOPE [--scope ...] [--name N] [--days D]: prints the key once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.organisations.models import Organisation


class Command(BaseCommand):
    help = "Udsted en API-nøgle til en organisation (kode, f.eks. 101). Nøglen vises kun én gang."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="Organisationens kode (se manage.py list_organisations).")
        parser.add_argument(
            "--scope", action="append", required=True, choices=ApiScope.values, help="Rettighed (kan gentages)."
        )
        parser.add_argument("--name", default="", help="Navn på nøglen, f.eks. systemets navn.")
        parser.add_argument("--days", type=int, default=None, help="Gyldighed i dage (standard: ingen udløb).")

    def handle(self, *args, organisation, scope, name, days, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"Ukendt organisation: {organisation}. Se manage.py list_organisations.")
        try:
            key, raw = api_key_create(org, scopes=scope, name=name, days=days, acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"API-nøgle smb_{key.prefix} udstedt til {org.name} ({', '.join(key.scopes)})"
            + (f", udløber {key.expires_at:%Y-%m-%d %H:%M}" if key.expires_at else "")
            + ". Nøglen vises kun denne ene gang:"
        )
        self.stdout.write(raw)
