"""manage.py enrolment_code USERNAME: a one-time code for enrolling a TOTP app; printed once, stored hashed."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samarbejde.accounts.services import enrolment_code_issue


class Command(BaseCommand):
    help = (
        "Opret en tilmeldingskode, som brugeren skal skrive for at slå totrinsbekræftelse (TOTP) til. "
        "Koden vises kun én gang og kan bruges én gang; tidligere koder til brugeren holder op med at gælde."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Brugerens brugernavn.")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Ukendt bruger: {username}.")
        try:
            code, raw = enrolment_code_issue(user, acting_user=None, via="manage.py enrolment_code")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"Tilmeldingskode til {user.username}, gælder til "
            f"{timezone.localtime(code.expires_at):%Y-%m-%d %H:%M} og kan bruges én gang. Den vises kun nu:"
        )
        self.stdout.write(raw)
