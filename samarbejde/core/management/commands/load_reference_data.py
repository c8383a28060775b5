from django.core.management.base import BaseCommand

from samarbejde.core.context import correlation
from samarbejde.core.reference import load_all


class Command(BaseCommand):
    help = (
        "Indlæser referencedata (kommuner, regioner, politikredse, Kriminalforsorgens enheder, retsgrundlag, "
        "titlerne på de offentlige dokumenter)."
    )

    def handle(self, *args, **options):
        with correlation():
            counts = load_all()
        self.stdout.write("Reference data: " + ", ".join(f"{count} {label}" for label, count in counts.items()) + ".")
