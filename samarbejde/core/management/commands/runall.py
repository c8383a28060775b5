"""`make run`: the web server, the task worker and the scheduler as one command; Ctrl-C stops all."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Starter webserver, opgave-worker og scheduler samlet (til lokal brug)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        manage = [sys.executable, "manage.py"]
        commands = {
            "web": [*manage, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [*manage, "db_worker", "--queue-name", "*", "--no-reload", "--interval", "1"],
            "scheduler": [*manage, "scheduler"],
        }
        processes: dict[str, subprocess.Popen] = {}
        for name, command in commands.items():
            # Own process group: Ctrl-C reaches us once and we stop the children in order.
            processes[name] = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)
        self.stdout.write(f"Samarbejde kører på http://{host}:{port}/ (Ctrl-C stopper alt)")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} stopped with exit code {process.returncode}; stopping the rest.")
                        exit_code = process.returncode or 1
                        stopping = True
                        break
                time.sleep(0.3)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        if exit_code:
            sys.exit(exit_code)
