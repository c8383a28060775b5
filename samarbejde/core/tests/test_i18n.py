"""Danish by default, English on request (ADR 0005): the switch, the catalogue, and lang marking for WCAG 3.1.1/3.1.2.

Danish is the source language: msgids are Danish, samarbejde/locale/en/LC_MESSAGES/django.po translates them, and the
compiled django.mo is committed. Pages whose templates are translated mark <main> with the current language; pages
that are not (yet) translated keep <main lang="da">, so a screen reader reads their Danish text as Danish.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "samarbejde" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Pages whose templates are fully translated, with one English text each must show.
TRANSLATED_PAGES = [
    ("/", "Cooperation with the municipalities"),
    ("/kommuner/", "Contacts in the municipalities"),
    ("/kommuner/101/", "Municipality code 101"),
    ("/lovgrundlag/", "Legal basis"),
    ("/dokumenter/", "Relevant documents for inter-agency cooperation"),
    ("/tilgaengelighed/", "Accessibility statement"),
    ("/personoplysninger/", "Processing of personal data"),
    ("/konto/log-ind/", "Log in"),
    ("/findes-ikke/", "Page not found"),
]


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


def main_lang(html: str) -> str:
    return re.search(r'<main id="main-content"[^>]*\blang="([^"]*)"', html).group(1)


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def choose_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


# --- Danish is the default --------------------------------------------------------------------------------------


def test_danish_without_accept_language(client):
    html = client.get("/").content.decode()
    assert html_lang(html) == "da"
    assert main_lang(html) == "da"
    assert h1(html) == "Samarbejde med kommunerne"
    assert "Gå til indhold" in html
    assert 'lang="en"' not in html.replace('<option value="en" lang="en">', "")


def test_unsupported_browser_language_falls_back_to_danish(client):
    html = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).content.decode()
    assert html_lang(html) == "da"
    assert h1(html) == "Samarbejde med kommunerne"


@pytest.mark.parametrize(("path", "english"), TRANSLATED_PAGES)
def test_danish_pages_are_danish_throughout(client, path, english):
    """No English leaks into the Danish pages, and main is lang="da" (the same as html: nothing to announce)."""
    html = client.get(path).content.decode()
    assert html_lang(html) == "da"
    assert main_lang(html) == "da"
    assert not re.search(rf"\b{re.escape(english)}\b", html)


# --- English on request ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "english"), TRANSLATED_PAGES)
def test_english_pages_after_choosing_english(client, path, english):
    choose_english(client)
    html = client.get(path).content.decode()
    assert html_lang(html) == "en"
    assert main_lang(html) == "en"
    assert english in html
    # The shared header and footer are translated too.
    assert "Skip to content" in html
    assert 'aria-label="Main menu"' in html
    assert "Change language" in html


def test_english_public_home_and_municipality_list(client):
    choose_english(client)
    home = client.get("/").content.decode()
    assert h1(home) == "Cooperation with the municipalities"
    assert "The procedures in brief" in home
    assert "On release" in home  # a procedure from content.py (gettext_lazy)
    assert "When an inmate is to be released" in home
    municipalities = client.get("/kommuner/").content.decode()
    assert h1(municipalities) == "Contacts in the municipalities"
    assert "All 98 municipalities have the same structure." in municipalities
    assert "<strong>98</strong> municipalities." in municipalities
    assert '<label class="form-label" for="q">Search for a municipality</label>' in municipalities
    assert '<option value="">All police districts</option>' in municipalities


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("København", "<strong>1</strong> municipality matches your search."),
        ("aar", "municipalities match your search."),
        ("Atlantis", "No municipalities match."),
    ],
)
def test_english_search_results_partial(client, query, expected):
    choose_english(client)
    html = client.get("/kommuner/", {"q": query}, headers={"HX-Request": "true"}).content.decode()
    assert expected in html


def test_english_login_page_and_form_errors(client):
    choose_english(client)
    html = client.get("/konto/log-ind/").content.decode()
    assert h1(html) == "Log in"
    assert ">Username</label>" in html
    assert ">Password</label>" in html
    html = client.post("/konto/log-ind/", {"username": "nobody", "password": "wrong"}).content.decode()
    assert "There are errors in the form" in html
    assert "Wrong username or password." in html


def test_english_start_page(client):
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "751"))
    choose_english(client)
    html = client.get("/start/").content.decode()
    assert html_lang(html) == "en"
    assert main_lang(html) == "en"
    assert h1(html) == "Start page – Aarhus Kommune"
    assert "Here you see the municipality&#x27;s cooperation with the Prison and Probation Service" in html
    assert "Notifications in the inbox" in html
    assert "Your change requests for the contact list" in html
    # Role names stay Danish (model choices) and are marked as such inside the English sentence.
    assert f'You are working as <strong lang="da">{Role.MUNICIPAL_COORDINATOR.label}</strong>.' in html
    assert "Log out" in html


def test_english_logout_message(client):
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR))
    choose_english(client)
    html = client.post("/konto/log-ud/", follow=True).content.decode()
    assert "You have been logged out." in html


def test_untranslated_page_keeps_danish_main(client):
    """A page outside the English catalogue: English chrome, Danish content marked lang="da"."""
    choose_english(client)
    html = client.get("/organisationer/kommuner/101/historik/").content.decode()
    assert html_lang(html) == "en"
    assert main_lang(html) == "da"
    assert "Skip to content" in html


def test_breadcrumbs_follow_their_template(client):
    choose_english(client)
    translated = client.get("/kommuner/101/").content.decode()
    assert '<div lang="en">' in translated
    assert 'aria-label="Breadcrumbs"' in translated


def test_switching_back_to_danish(client):
    choose_english(client)
    client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    html = client.get("/").content.decode()
    assert html_lang(html) == "da"
    assert main_lang(html) == "da"
    assert h1(html) == "Samarbejde med kommunerne"


# --- The catalogue ---------------------------------------------------------------------------------------------


def parse_po(text: str) -> list[dict[str, str]]:
    """A small .po parser (no polib in the project): entries as {"msgid": ..., "msgstr": ..., "flags": ...}."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif match := re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def catalogue() -> list[dict[str, str]]:
    return [e for e in parse_po(PO_FILE.read_text(encoding="utf-8")) if e["msgid"]]


def test_catalogue_exists_and_is_compiled():
    assert PO_FILE.is_file()
    assert MO_FILE.is_file(), "run: .venv/bin/python manage.py compilemessages --ignore=.venv"
    assert len(catalogue()) > 100


def test_every_msgid_has_an_english_msgstr():
    untranslated = []
    for entry in catalogue():
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not translations or not all(t.strip() for t in translations) or "fuzzy" in entry["flags"]:
            untranslated.append(entry["msgid"])
    assert untranslated == []


def test_placeholders_survive_translation():
    for entry in catalogue():
        wanted = sorted(re.findall(r"%\(\w+\)s", entry["msgid"]))
        for key, value in entry.items():
            if key.startswith("msgstr"):
                assert sorted(set(re.findall(r"%\(\w+\)s", value))) == sorted(set(wanted)), entry["msgid"]


def test_compiled_catalogue_matches_the_po():
    """The committed .mo says what the .po says: gettext returns each msgstr (so a .po edit without compile fails)."""
    stale = []
    with translation.override("en"):
        for entry in catalogue():
            if "msgid_plural" in entry:
                got = [translation.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
                expected = [entry["msgstr[0]"], entry["msgstr[1]"]]
            else:
                got, expected = translation.gettext(entry["msgid"]), entry["msgstr"]
            if got != expected:
                stale.append(entry["msgid"])
    assert stale == [], "recompile: .venv/bin/python manage.py compilemessages --ignore=.venv"


def test_danish_is_the_source_and_needs_no_catalogue():
    with translation.override("da"):
        assert translation.gettext("Log ind") == "Log ind"
        assert translation.ngettext(
            "<strong>%(counter)s</strong> kommune.", "<strong>%(counter)s</strong> kommuner.", 2
        ) == ("<strong>%(counter)s</strong> kommuner.")
    with translation.override("en"):
        assert translation.gettext("Log ind") == "Log in"


# --- The English pages are as accessible as the Danish ones ----------------------------------------------------


@pytest.mark.browser
def test_english_pages_pass_axe(client):
    from samarbejde.core.tests.browser import axe_check

    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "751"))
    choose_english(client)
    urls = [path for path, _ in TRANSLATED_PAGES if path != "/konto/log-ind/"]  # logged in: the login page redirects
    urls += ["/start/", "/kommuner/?q=aar", "/organisationer/kommuner/101/historik/"]
    report = axe_check(client, urls)
    assert report.violations == {}
    assert report.csp_violations == []
