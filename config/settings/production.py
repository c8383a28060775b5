"""Production: everything secure by default; fails at start-up when a required value is missing."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not env.str("ALLOWED_HOSTS", default=""):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)

# Mail leaves through SMTP in production: a development backend (console, locmem, file, dummy) is never
# used silently, and the e-mail channel of the outbox (samarbejde.delivery) needs a relay: no SMTP_HOST,
# no start.
if not env.str("SMTP_HOST", default=""):
    raise ImproperlyConfigured("SMTP_HOST must be set in production (e-mail alerts of the outbox).")
# Webhook events name their source and link to the notice by SITE_URL, and e-mails link to it: it must be
# the public https address, never the development default.
if urlsplit(SITE_URL).scheme != "https" or not urlsplit(SITE_URL).hostname:
    raise ImproperlyConfigured("SITE_URL must be set to the public https:// address in production (webhooks, e-mail).")
# Webhooks are sent over https only: plain http is for loopback receivers in development.
if env.bool("WEBHOOK_ALLOW_HTTP", default=False):
    raise ImproperlyConfigured("WEBHOOK_ALLOW_HTTP must not be set in production.")
WEBHOOK_ALLOW_HTTP = False
if MAILERS["default"]["BACKEND"].rsplit(".", 2)[-2] in {"console", "locmem", "filebased", "dummy"}:
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": env.str("SMTP_HOST"), "port": env.int("SMTP_PORT", default=25)},
    }
