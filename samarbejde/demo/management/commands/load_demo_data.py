from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samarbejde.core.context import correlation
from samarbejde.demo.data import load_demo_cases, load_demo_directory, load_demo_users
from samarbejde.documents.demo import load_demo_public_documents


class Command(BaseCommand):
    help = (
        "Indlæser demodata (brugere til hver rolle, kontakter, sager og demo-PDF'er til de offentlige dokumenter). "
        "Kun til lokal brug og test."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for local use; pass --force to load it with DEBUG off.")
        with correlation():
            users = load_demo_users()
            contacts = load_demo_directory()
            cases = load_demo_cases()
            documents = load_demo_public_documents()
        self.stdout.write(
            f"Demo data: {users} users, {contacts} new directory contacts, {cases} new demo people, "
            f"{documents} new demo PDFs for public documents."
        )
