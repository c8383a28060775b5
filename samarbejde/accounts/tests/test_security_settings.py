"""Production settings pass `check --deploy`, refuse to start without secrets; CSP on every HTML page."""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard, not a budget
        check=False,
    )


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def test_check_deploy_with_production_settings_is_clean():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=random_secret(),
        ALLOWED_HOSTS="example.org",
        SMTP_HOST="smtp.example.org",
        SITE_URL="https://example.org",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": "", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY must be set in production."),
        ({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY must be set in production."),
        ({"SECRET_KEY": random_secret()}, "ALLOWED_HOSTS must be set in production."),
        (
            {"SECRET_KEY": random_secret(), "ALLOWED_HOSTS": "example.org", "SMTP_HOST": ""},
            "SMTP_HOST must be set in production",
        ),
    ],
)
def test_production_settings_refuse_to_start_without_required_values(env, message):
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_mail_is_never_a_development_backend():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    )
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "SMTP_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=random_secret(),
        ALLOWED_HOSTS="example.org",
        SMTP_HOST="smtp.example.org",
        SITE_URL="https://example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


HTML_PAGES = ["/", "/kommuner/", "/kommuner/101/", "/lovgrundlag/", "/konto/log-ind/", "/api/v1/docs/", "/findes-ikke/"]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0]] = tokens[1:]
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url", HTML_PAGES)
def test_csp_header_is_strict_on_html_pages(client, url):
    response = client.get(url)
    assert response["Content-Type"].startswith("text/html")
    csp = csp_directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    nonces = [token for token in csp["script-src"] if token.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the base template loads its scripts"
    for tag in scripts:
        assert "src=" in tag, "no inline script"
        assert f'nonce="{nonce}"' in tag
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(client):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second
