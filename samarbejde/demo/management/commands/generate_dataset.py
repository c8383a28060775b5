"""Generate a large synthetic dataset for benchmarks (PostgreSQL only); see samarbejde.demo.dataset and
docs/dataset.md."""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
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
        parser.add_argument(
            "--jobs", type=int, default=1, help="Antal arbejdsprocesser, der laver hver sine chunks (standard 1)."
        )
        parser.add_argument(
            "--drop-indexes",
            choices=("auto", "yes", "no"),
            default="auto",
            help=(
                "Fjern de sekundære indeks under indlæsningen og byg dem til sidst: auto = ved en ny indlæsning "
                f"af mindst {dataset.FRESH_INDEX_MIN_PERSONS} personer (standard)."
            ),
        )
        # Internal: one worker process of a --jobs run (i/k: the chunks with number % k == i).
        parser.add_argument("--worker", default="", help=argparse.SUPPRESS)

    def handle(
        self,
        *args,
        persons: int,
        seed: int,
        chunk_size: int,
        reset: bool,
        jobs: int,
        worker: str,
        drop_indexes: str,
        **options,
    ):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_dataset kræver PostgreSQL (COPY og sæt-baseret SQL); databasen er "
                f"{connection.vendor}. Sæt DATABASE_URL til en PostgreSQL-database."
            )
        if not reset and persons <= 0:
            raise CommandError("Angiv antal personer med --persons N (N > 0), eller --reset.")
        if chunk_size <= 0:
            raise CommandError("--chunk-size skal være større end 0.")
        if worker:
            index, count = (int(part) for part in worker.split("/"))
            try:
                with correlation():
                    result = dataset.generate(
                        persons, seed=seed, chunk_size=chunk_size, stream=self.stderr, worker=(index, count)
                    )
            except dataset.DatasetError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"worker {worker}: {result.persons} personer, {result.total_rows} rækker")
            return
        if jobs < 1:
            raise CommandError("--jobs skal være mindst 1.")
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
                if jobs > 1:
                    result = self._run_workers(persons, seed, chunk_size, jobs, drop_indexes)
                else:
                    result = dataset.generate(
                        persons, seed=seed, chunk_size=chunk_size, stream=self.stderr, drop_indexes=drop_indexes
                    )
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

    def _run_workers(self, persons: int, seed: int, chunk_size: int, jobs: int, drop_indexes: str) -> dataset.RunResult:
        """Several processes on disjoint chunks (one core each; the chunks are independent), then ANALYZE."""
        before = dataset.chunk_counts()
        # What the workers would race on, once, here: the bookkeeping table, the mailboxes, the helper users.
        done = dataset.prepare(seed, chunk_size, self.stderr)
        if dataset.fresh_load(persons, done, drop_indexes):
            dataset.drop_secondary_indexes(self.stderr)
        started = time.monotonic()
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "generate_dataset",
            f"--persons={persons}",
            f"--seed={seed}",
        ]
        command.append(f"--chunk-size={chunk_size}")
        workers = [subprocess.Popen([*command, f"--worker={i}/{jobs}"], stdout=subprocess.DEVNULL) for i in range(jobs)]
        failed = [w.args[-1] for w in workers if w.wait() != 0]
        if failed:
            raise CommandError(f"Arbejdsprocesserne {', '.join(failed)} fejlede; kør kommandoen igen for at fortsætte.")
        result = dataset.RunResult(seconds=time.monotonic() - started)
        after = dataset.chunk_counts()
        for name, count in after.items():
            result.rows[name] = count - before.get(name, 0)
        new_chunks = result.rows.pop("_chunks", 0)
        result.persons = result.rows.get("person", 0)
        result.chunks = max(new_chunks, 1 if result.persons else 0)  # a grown chunk is no new bookkeeping row
        dataset.finish(self.stderr, analyze_tables=bool(result.persons))
        return result
