"""Settings for `make bench-scale` (bench/scale.py): the local settings made production-like.

DEBUG off, no static-file autorefresh (production serves a fixed manifest), TOTP required for staff as in
production (the harness makes verified sessions), no mail leaves (dummy backend), quiet logs, and a rate limit
the API list's 30 requests cannot hit. The task queue is the database backend, but no worker runs: nothing
the measured GET requests might enqueue is ever sent.
"""

import warnings

from config.settings.local import *  # noqa: F403
from config.settings.local import env

DEBUG = False
WHITENOISE_AUTOREFRESH = False
OTP_REQUIRED = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend", "OPTIONS": {}}}
WEBHOOK_ALLOW_HTTP = True
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1000000/min")
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="WARNING")  # noqa: F405
# /healthz is the floor of every ratio: it must answer 200 without a task worker. The harness writes one
# heartbeat before it starts the server; it stays "fresh" for the length of a run.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=24 * 3600)
# The static files come from the app folders (WHITENOISE_USE_FINDERS); no collectstatic is run.
warnings.filterwarnings("ignore", message="No directory at")
