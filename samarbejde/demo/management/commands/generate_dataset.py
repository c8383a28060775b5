"""Generate a large synthetic dataset for benchmarks (PostgreSQL only); see samarbejde.demo.dataset and
docs/dataset.md."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from samarbejde.core.context import correlation
from samarbejde.demo import dataset


class Command(BaseCommand):
    help = (
        "Genererer et stort syntetisk datasæt til belastningstest (kun PostgreSQL): personer, forløb, "
        "underretninger, leveringer, adgange og revisionsspor, fordelt over 10 år. Kan genoptages; "
        "--reset fjerner de genererede rækker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=0, help="Antal personer (forløb 2N, underretninger ~10N).")
        parser.add_argument("--seed", type=int, default=1, help="Frø til tilfældighederne (samme frø, samme data).")
        parser.add_argument(
            "--chunk-size", type=int, default=dataset.CHUNK_PERSONS, help="Personer pr. transaktion (chunk)."
        )
        parser.add_argument("--reset", action="store_true", help="Fjern de genererede rækker og bogføringen.")

    def handle(self, *args, persons: int, seed: int, chunk_size: int, reset: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_dataset kræver PostgreSQL (COPY og sæt-baseret SQL); databasen er "
                f"{connection.vendor}. Sæt DATABASE_URL til en PostgreSQL-database."
            )
        if not reset and persons <= 0:
            raise CommandError("Angiv antal personer med --persons N (N > 0), eller --reset.")
        if chunk_size <= 0:
            raise CommandError("--chunk-size skal være større end 0.")
        try:
            with correlation():
                if reset:
                    removed = dataset.reset(self.stderr)
                    self.stdout.write(f"Datasættet er fjernet ({sum(removed.values())} rækker).")
                    if persons <= 0:
                        return
                started = time.monotonic()
                # Reference and demo data first: the generator routes to their units and acts as their users.
                call_command("load_reference_data", stdout=self.stderr)
                call_command("load_demo_data", force=True, stdout=self.stderr)
                result = dataset.generate(persons, seed=seed, chunk_size=chunk_size, stream=self.stderr)
        except dataset.DatasetError as exc:
            raise CommandError(str(exc)) from None
        seconds = time.monotonic() - started
        if not result.chunks:
            self.stdout.write(f"Datasættet har allerede {persons} personer; intet at gøre.")
            return
        rate = result.total_rows / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Datasæt: {result.persons} nye personer i {result.chunks} chunks, {result.total_rows} rækker på "
            f"{seconds:.0f} s ({rate:,.0f} rækker/s): "
            + ", ".join(f"{name}={count}" for name, count in result.rows.items())
        )
