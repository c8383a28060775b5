"""No CPR number in a URL or a log line (issue 9, point 4).

Every look-up by CPR is a POST whose answer has a URL without the number; a CPR-looking value in any query string
is refused with a Danish 400 before a view (or a login redirect) sees it; the admin's searches never take one;
and the log handlers write request paths without query strings.
"""

import logging

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.core.logging import RedactRequestPathFilter, contains_cpr, redact_path, redact_paths
from samarbejde.core.middleware import MSG_CPR_IN_URL, query_has_cpr
from samarbejde.people.models import Person

REFUSED = "CPR-nummer i adressen"
UUID = "3f2a1234-5678-4abc-9def-123456789012"


# --- What counts as a CPR number in a query string -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("cpr=0101901234", True),
        ("cpr=010190-1234", True),
        ("q=Jens+010190-1234", True),
        ("q=%30%31%30%31%39%30%31%32%33%34", True),  # percent-encoded digits
        ("0101901234=", True),  # a parameter name
        ("_changelist_filters=q%3D0101901234", True),  # the admin's kept filters
        (f"person={UUID}", False),  # an id is no CPR number, even with ten digits in a row
        ("side=2&q=jensen", False),
        ("fra=2026-03-10&til=2026-03-11", False),
        ("q=12345", False),
        ("q=%D9%A0%D9%A1%D9%A0%D9%A1%D9%A9%D9%A0%D9%A1%D9%A2%D9%A3%D9%A4", False),  # Arabic-Indic digits: no CPR
        ("", False),
    ],
)
def test_query_has_cpr(query, refused):
    assert query_has_cpr(query) is refused


@pytest.mark.parametrize(
    "url",
    [
        "/revision/?cpr=0101901234",
        "/klienter/indsaettelse/?cpr=010190-1234",
        "/blanketter/?cpr=0101901234",
        "/indbakke/?q=0101901234",
        "/admin/people/person/?q=010190-1234",
        "/admin/audit/auditevent/?q=0101901234",
        "/start/?x=0101901234",
    ],
)
def test_a_cpr_in_any_query_string_is_refused_with_a_danish_page_and_not_logged(client, administrator, caplog, url):
    client.force_login(administrator)
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client.get(url)
    assert response.status_code == 400
    assert REFUSED in response.text and MSG_CPR_IN_URL in response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert "0101901234" not in response.text and "010190-1234" not in response.text
    assert AuditEvent.objects.count() == before  # not processed: no search, no read
    assert not any(contains_cpr(record.getMessage()) for record in caplog.records)


def test_an_anonymous_request_is_refused_before_the_login_redirect_could_repeat_the_number(client):
    response = client.get("/start/", {"cpr": "0101901234"})
    assert response.status_code == 400  # not a 302 to /konto/log-ind/?next=/start/%3Fcpr%3D0101901234


def test_the_api_refuses_with_a_danish_problem_document(client):
    response = client.get("/api/v1/notifications/", {"cpr": "0101901234"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == REFUSED


def test_other_methods_are_refused_too_since_the_url_is_logged_whatever_the_method(client, worker):
    client.force_login(worker)
    assert client.post("/klienter/indsaettelse/?cpr=0101901234", {"step": "find"}).status_code == 400


def test_ordinary_query_strings_still_work(client, administrator):
    client.force_login(administrator)
    assert client.get("/revision/", {"bruger": "karin", "side": "2"}).status_code == 200
    assert client.get("/kommuner/", {"q": "aarhus"}).status_code == 200


# --- The look-ups: POST, and an answer whose URL carries no number ----------------------------------------


def test_the_admission_look_up_is_a_post_form_without_a_pushed_url(client, worker):
    client.force_login(worker)
    body = client.get("/klienter/indsaettelse/").text
    form = body.split('aria-labelledby="step-cpr"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form and "hx-post=" in form
    assert "hx-get" not in form and "hx-push-url" not in body
    assert 'name="csrfmiddlewaretoken"' in body.split('aria-labelledby="step-cpr"', 1)[1].split("</form>", 1)[0]


def test_the_admission_look_up_needs_the_csrf_token(worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    assert client.post("/klienter/indsaettelse/", {"step": "find", "cpr": "0303831234"}).status_code == 403


def test_the_admission_look_up_answers_at_its_own_address(client, worker, person):
    client.force_login(worker)
    response = client.post("/klienter/indsaettelse/", {"step": "find", "cpr": "030383-1234"})
    assert response.status_code == 200 and "Personen findes: Pia Privat" in response.text
    assert response.request["PATH_INFO"] == "/klienter/indsaettelse/" and not response.request.get("QUERY_STRING")
    htmx = client.post("/klienter/indsaettelse/", {"step": "find", "cpr": "0303831234"}, headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in htmx.headers and "HX-Replace-Url" not in htmx.headers


def test_the_forms_look_up_redirects_to_the_persons_id(client, worker, person):
    client.force_login(worker)
    response = client.post("/blanketter/", {"cpr": "030383-1234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:forms_for_person", args=[person.pk])


def test_the_audit_search_redirects_to_the_persons_id(client, administrator, person):
    client.force_login(administrator)
    response = client.post("/revision/", {"cpr": "030383-1234"})
    assert response.status_code == 302 and response["Location"] == f"/revision/?person={person.pk}"


# --- The admin: searches never take a CPR number; the look-up is a POST -----------------------------------


def test_no_admin_search_field_is_a_cpr_number():
    for model, model_admin in admin.site._registry.items():
        for field in model_admin.search_fields:
            assert "cpr" not in field.lower(), f"{model._meta.label}: search_fields has {field}"


def test_the_admin_person_look_up_is_a_post_that_opens_the_persons_page(client, administrator, person):
    client.force_login(administrator)
    changelist = reverse("admin:people_person_changelist")
    lookup = reverse("admin:people_person_cpr_lookup")
    page = client.get(changelist).text
    form = page.split(f'action="{lookup}"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="cpr"' in form
    assert client.get(lookup).status_code == 405
    response = client.post(lookup, {"cpr": "030383-1234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:people_person_change", args=[person.pk])
    search = AuditEvent.objects.filter(action="people.search").latest("id")
    assert (search.person, search.actor, search.details) == (person, administrator, {"found": True, "source": "admin"})
    assert "0303831234" not in str(search.details)


@pytest.mark.parametrize(
    ("cpr", "message"),
    [("311299-9999", "Der findes ingen person med det CPR-nummer."), ("123", "Et CPR-nummer har 10 cifre")],
)
def test_the_admin_person_look_up_misses_with_a_danish_message(client, administrator, person, cpr, message):
    client.force_login(administrator)
    response = client.post(reverse("admin:people_person_cpr_lookup"), {"cpr": cpr}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:people_person_changelist")
    assert message in response.text
    assert cpr not in response.text.split('id="cpr-lookup"', 1)[0]


def test_the_admin_person_look_up_is_for_administrators_only(client, worker, person):
    client.force_login(worker)
    response = client.post(reverse("admin:people_person_cpr_lookup"), {"cpr": "0303831234"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not AuditEvent.objects.filter(action="people.search", details__source="admin").exists()


def test_the_admin_person_search_by_name_still_works(client, administrator, person):
    client.force_login(administrator)
    response = client.get(reverse("admin:people_person_changelist"), {"q": "Privat"})
    assert [p.pk for p in response.context["cl"].result_list] == [person.pk]
    assert Person.objects.count() >= 1


# --- Logging: request paths without query strings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/revision/?cpr=0101901234", "/revision/?[...]"),
        ("/revision/", "/revision/"),
        ("/x/0101901234/", "/x/[cpr]/"),
        ("/x/010190-1234/y", "/x/[cpr]/y"),
        (f"/klienter/forloeb/{UUID}/", f"/klienter/forloeb/{UUID}/"),
        ("/?", "/?[...]"),
    ],
)
def test_redact_path(path, logged):
    assert redact_path(path) == logged


def test_redact_paths_rewrites_only_the_paths_of_a_message():
    line = '"GET /revision/?person=abc&side=2 HTTP/1.1" 200 5120'
    assert redact_paths(line) == '"GET /revision/?[...] HTTP/1.1" 200 5120'
    assert redact_paths("Not Found: /blanketter/0101901234/") == "Not Found: /blanketter/[cpr]/"
    assert redact_paths("3 notices sent, 1 withdrawn") == "3 notices sent, 1 withdrawn"


def record(name: str, msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("logger", "msg", "args", "logged"),
    [
        (
            "django.server",
            '"%s" %s %s',
            ("GET /revision/?cpr=0101901234 HTTP/1.1", "400", "2048"),
            '"GET /revision/?[...] HTTP/1.1" 400 2048',
        ),
        ("django.request", "Not Found: %s", ("/indbakke/?q=010190-1234",), "Not Found: /indbakke/?[...]"),
        ("samarbejde.delivery.services", "delivery %s failed", ("42",), "delivery 42 failed"),
    ],
)
def test_the_filter_redacts_django_and_server_records(logger, msg, args, logged):
    entry = record(logger, msg, *args)
    assert RedactRequestPathFilter().filter(entry) is True
    assert entry.getMessage() == logged


def test_the_filter_redacts_paths_in_a_traceback():
    try:
        raise RuntimeError("while serving /revision/?cpr=0101901234")
    except RuntimeError:
        import sys

        entry = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    RedactRequestPathFilter().filter(entry)
    assert "0101901234" not in logging.Formatter().format(entry)


def test_every_configured_log_handler_has_the_filter():
    assert settings.LOGGING["filters"]["redact_paths"]["()"] == "samarbejde.core.logging.RedactRequestPathFilter"
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_paths" in handler.get("filters", []), name
    configured = [h for name in ("", "django.server") for h in logging.getLogger(name).handlers]
    assert any(isinstance(f, RedactRequestPathFilter) for h in configured for f in h.filters)


def test_the_readme_access_log_formats_leave_out_query_strings():
    from pathlib import Path

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production deployment", 1)[1].split("\n## ", 1)[0]
    gunicorn = production.split("--access-logformat '", 1)[1].split("'", 1)[0]
    assert "%(U)s" in gunicorn and not any(part in gunicorn for part in ("%(r)s", "%(q)s", "%(f)s"))
    nginx = production.split("log_format samarbejde", 1)[1].split(";", 1)[0]
    assert "$uri" in nginx and not any(
        part in nginx for part in ("$request ", "$request'", "$request_uri", "$args", "$query_string", "$http_referer")
    )


def test_the_api_schema_documents_the_refusal_on_every_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [(path, op) for path, item in schema["paths"].items() for op in item.values()]
    assert operations
    for path, operation in operations:
        refusal = operation["responses"]["400"]
        assert REFUSED in refusal["description"], path
        assert "application/problem+json" in refusal["content"], path
