from django.core.management.base import BaseCommand

from samarbejde.core.context import correlation
from samarbejde.documents.reference import load_public_documents
from samarbejde.legal.reference import load_acts
from samarbejde.organisations.reference import load_municipalities, load_other_organisations


class Command(BaseCommand):
    help = (
        "Indlæser referencedata (kommuner, regioner, politikredse, Kriminalforsorgens enheder, retsgrundlag, "
        "titlerne på de offentlige dokumenter)."
    )

    def handle(self, *args, **options):
        with correlation():
            municipalities = load_municipalities()
            others = load_other_organisations()
            acts = load_acts()
            documents = load_public_documents()
        self.stdout.write(
            f"Reference data: {municipalities} municipalities, {others} other units, {acts} acts, "
            f"{documents} public document titles."
        )
