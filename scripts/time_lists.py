"""Median request time of the notice lists as a ratio to GET /healthz, through Django's test client (no
network), on a copy of a big database (it writes sessions, audit events and one API key):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samarbejde_ln .venv/bin/python manage.py shell \
        < scripts/time_lists.py
"""

import statistics
import time
import uuid

from django.contrib.auth import get_user_model
from django.test import Client

from samarbejde.api.services import api_key_create
from samarbejde.core.pagination import encode_cursor
from samarbejde.notifications.status import DORMANT_BASE, KEY_DAY, SETTLED_BASE
from samarbejde.organisations.models import Organisation

RUNS = 7
User = get_user_model()
END = encode_cursor([DORMANT_BASE + SETTLED_BASE + KEY_DAY, str(uuid.UUID(int=2**128 - 1))])


def median_ms(client, url, **extra) -> float:
    client.get(url, **extra)  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **extra)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 503 if url == "/healthz" else 200), (url, response.status_code)
    return statistics.median(times)


def client_for(username):
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    return client


anonymous = Client(HTTP_HOST="localhost")
floor = median_ms(anonymous, "/healthz")  # 503 on a copy without a worker heartbeat: the same work
print(f"/healthz {floor:.1f} ms")
kbh = client_for("kbh.sagsbehandler")
krfo = client_for("krfo.sagsbehandler")
_, raw = api_key_create(Organisation.objects.get(code="101"), scopes=["notifications:read"], name="bench")
api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
cases = [
    ("municipal inbox /indbakke/", kbh, "/indbakke/"),
    ("inbox, last page (?foer=end)", kbh, f"/indbakke/?foer={END}"),
    ("inbox, status=overdue", kbh, "/indbakke/?status=overdue"),
    ("municipal start page", kbh, "/start/"),
    ("/klienter/ubesvarede/", krfo, "/klienter/ubesvarede/"),
    ("KRFO start page", krfo, "/start/"),
    ("API GET /api/v1/notifications/", api, "/api/v1/notifications/"),
]
for label, client, url in cases:
    ms = median_ms(client, url)
    print(f"{label}: {ms:.1f} ms, ratio {ms / floor:.1f}")
