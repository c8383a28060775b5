"""Speed goals as benchmarks, never as timed tests: `make bench`.

Renders the busiest public pages and API endpoints with Django's test client against a throw-away SQLite
database loaded with the reference and demo data, and prints min/median/max per endpoint.
Goal (2 cores): directory list and API list under 50 ms median.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
tmp = tempfile.mkdtemp()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

ENDPOINTS = [
    "/kommuner/",
    "/kommuner/?region=1084",
    "/kommuner/101/",
    "/api/v1/municipalities/",
    "/api/v1/municipalities/101/",
]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("load_demo_data", "--force", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'endpoint':40} {'min ms':>8} {'median':>8} {'max':>8}")
    for url in ENDPOINTS:
        client.get(url)  # warm up
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:40} {min(timings):8.1f} {statistics.median(timings):8.1f} {max(timings):8.1f}")


if __name__ == "__main__":
    main()
