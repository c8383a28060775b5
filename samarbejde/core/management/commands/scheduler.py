"""Enqueue the periodic tasks of samarbejde.core.periodic on their intervals.

Run exactly one scheduler per deployment next to any number of `db_worker` processes.
"""

import signal
import time

from django.core.management.base import BaseCommand

from samarbejde.core.periodic import schedule


class Command(BaseCommand):
    help = "Sætter periodiske opgaver i kø (hjerteslag, påmindelser, genudsendelser)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic task once and exit.")

    def handle(self, *args, once: bool = False, **options):
        entries = schedule()
        if once:
            for entry in entries:
                entry.enqueue()
            return
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        next_due = {entry.task_path: 0.0 for entry in entries}
        self.stdout.write(f"Scheduler started with {len(entries)} periodic task(s).")
        while running:
            now = time.monotonic()
            for entry in entries:
                if now >= next_due[entry.task_path]:
                    try:
                        entry.enqueue()
                    except Exception as exc:  # keep scheduling when the database blips
                        self.stderr.write(f"Could not enqueue {entry.task_path}: {exc.__class__.__name__}")
                    next_due[entry.task_path] = now + entry.every_seconds
            time.sleep(0.5)
