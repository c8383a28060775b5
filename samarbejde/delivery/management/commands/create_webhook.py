"""manage.py create_webhook ORGANISATION URL [--description D]: prints the subscription id and secret once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samarbejde.delivery.services import webhook_subscription_create
from samarbejde.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Registrér en webhook-modtager for en organisation (kode, f.eks. 101). "
        "Udskriver abonnementets id og signeringshemmeligheden; hemmeligheden vises kun én gang."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="Organisationens kode (se manage.py list_organisations).")
        parser.add_argument("url", help="Modtagerens adresse (https://...).")
        parser.add_argument("--description", default="", help="Beskrivelse, f.eks. systemets navn.")

    def handle(self, *args, organisation, url, description, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"Ukendt organisation: {organisation}. Se manage.py list_organisations.")
        try:
            subscription, secret = webhook_subscription_create(org, url, description, acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"Webhook til {subscription.url} registreret for {org.name}. "
            "Hemmeligheden (whsec_...) vises kun denne ene gang:"
        )
        # stdout carries only the two values, so a script can read them.
        self.stdout.write(f"id: {subscription.pk}")
        self.stdout.write(f"secret: {secret}")
