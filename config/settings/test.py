"""The test suite: fast hashing, immediate tasks, in-memory mail, uploads in a temporary folder."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *

DEBUG = False
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "periodic"]}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_FAILURE_LIMIT = 5
# Records from INFO up are made (as in production), so the suite's log check (tests/privacy/logcheck.py) sees
# what production would log; the console still shows warnings and errors only.
LOGGING["root"]["level"] = "INFO"
LOGGING["handlers"]["console"]["level"] = "WARNING"
# Serve static files straight from the app folders (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The tests' webhook receivers listen on http://127.0.0.1.
WEBHOOK_ALLOW_HTTP = True
# Uploaded files (attachments, public documents, the demo PDFs) never land in the working tree's media/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="samarbejde-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
# One connection per request, as before persistent connections: the live-server threads and the subprocess
# tests then leave no idle connection that would keep the test database from being flushed or dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
