"""The public information part: open to all, search and filters, htmx partials, pinned query counts."""

import re

import pytest
from django.test import Client

from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.organisations.models import Contact, ContactFunction, Organisation
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    ("/", "Samarbejde med kommunerne"),
    ("/kommuner/", "Kontakter i kommunerne"),
    ("/kommuner/101/", "Københavns Kommune"),
    ("/lovgrundlag/", "Lovgrundlag"),
    ("/dokumenter/", None),
    ("/tilgaengelighed/", None),
    ("/personoplysninger/", None),
    ("/api/v1/docs/", "API-dokumentation"),
]


def h1s(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.DOTALL)]


@pytest.mark.parametrize(("url", "heading"), PUBLIC_PAGES)
def test_public_page_is_open_without_login(client, url, heading):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="da">' in html
    headings = h1s(html)
    assert len(headings) == 1
    if heading:
        assert heading in headings[0]
    assert "Log ind" in html  # anonymous header
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url", [url for url, _ in PUBLIC_PAGES])
def test_public_pages_open_for_every_role(role, url):
    client = Client()
    client.force_login(user_with_role(role))
    assert client.get(url).status_code == 200


def result_names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/kommuner/\d{3}/">([^<]+)</a></td>', html)


def test_municipality_list_shows_all_98(client):
    html = client.get("/kommuner/").content.decode()
    assert "<strong>98</strong> kommuner." in html
    assert "Alle 98 kommuner" in html
    names = result_names(html)
    assert len(names) == 98
    assert "Aarhus Kommune" in names
    assert "Bornholms Regionskommune" in names
    assert len(re.findall(r'<option value="\d{4}"', html)) == 5 + 12  # regions and police districts


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Not Aabenraa: it has no "aar". Tårnby is also spelled Taarnby (å folds to aa).
        ("aar", {"Aarhus Kommune", "Lyngby-Taarbæk Kommune", "Tårnby Kommune"}),
        ("AAR", {"Aarhus Kommune", "Lyngby-Taarbæk Kommune", "Tårnby Kommune"}),
        ("aabenraa", {"Aabenraa Kommune"}),
        ("ærø", {"Ærø Kommune"}),
        ("ÆRØ", {"Ærø Kommune"}),
        ("høje-taastrup", {"Høje-Taastrup Kommune"}),
        ("  odense  ", {"Odense Kommune"}),
        ("751", {"Aarhus Kommune"}),
        ("Regionskommune", {"Bornholms Regionskommune"}),
    ],
)
def test_search(client, query, expected):
    html = client.get("/kommuner/", {"q": query}).content.decode()
    assert set(result_names(html)) == expected
    assert "matcher din søgning" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kobenhavn", {"Københavns Kommune"}),
        ("KØBENHAVN", {"Københavns Kommune"}),
        ("koebenhavn", {"Københavns Kommune"}),
        ("KOEBENHAVN", {"Københavns Kommune"}),
        ("aarhus", {"Aarhus Kommune"}),
        ("århus", {"Aarhus Kommune"}),
        ("Aarhus", {"Aarhus Kommune"}),
        ("ÅRHUS", {"Aarhus Kommune"}),
        ("æroe", {"Ærø Kommune"}),
        ("aeroe", {"Ærø Kommune"}),
        ("ærø", {"Ærø Kommune"}),
        ("AERO", {"Ærø Kommune"}),
        ("tarnby", {"Tårnby Kommune"}),
        ("Taarnby", {"Tårnby Kommune"}),
        ("ringkobing", {"Ringkøbing-Skjern Kommune"}),
        ("laesoe", {"Læsø Kommune"}),
        ("hoeje taastrup", {"Høje-Taastrup Kommune"}),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_search_folds_case_and_danish_letters(client, query, expected, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    html = client.get("/kommuner/", {"q": query}, headers=headers).content.decode()
    assert set(result_names(html)) == expected


def test_folded_search_combines_with_the_filters(client):
    html = client.get("/kommuner/", {"q": "kobenhavn", "region": "1084"}).content.decode()
    assert set(result_names(html)) == {"Københavns Kommune"}
    html = client.get("/kommuner/", {"q": "kobenhavn", "region": "1081"}).content.decode()
    assert result_names(html) == []


def test_a_query_of_only_separators_shows_every_municipality(client):
    assert len(result_names(client.get("/kommuner/", {"q": " - "}).content.decode())) == 98


def test_search_without_results_says_so_in_danish(client):
    html = client.get("/kommuner/", {"q": "Atlantis"}).content.decode()
    assert "<strong>0</strong> kommuner" in html
    assert "Ingen kommuner matcher" in html


@pytest.mark.parametrize(
    ("params", "count", "member"),
    [
        ({"region": "1084"}, 29, "Københavns Kommune"),
        ({"region": "1081"}, 11, "Aalborg Kommune"),
        ({"politikreds": "1470"}, 4, "Frederiksberg Kommune"),
        ({"politikreds": "1471"}, 1, "Bornholms Regionskommune"),
        ({"region": "1084", "politikreds": "1470"}, 4, "Dragør Kommune"),
        ({"region": "1081", "politikreds": "1470"}, 0, None),
        ({"region": "9999"}, 0, None),
        ({"q": "k", "region": "1082"}, None, "Aarhus Kommune"),
    ],
)
def test_filters(client, params, count, member):
    html = client.get("/kommuner/", params).content.decode()
    names = result_names(html)
    if count is not None:
        assert len(names) == count
    if member:
        assert member in names
    # The chosen filters stay selected in the form.
    for name, value in params.items():
        if name in {"region", "politikreds"} and value != "9999":
            assert re.search(rf'<select[^>]*name="{name}".*?<option value="{value}" selected>', html, flags=re.DOTALL)


def test_htmx_request_returns_only_the_results_partial(client):
    response = client.get("/kommuner/", {"q": "aar"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="municipality-results"')
    assert "<html" not in html
    assert "<h1" not in html
    assert "<form" not in html
    assert set(result_names(html)) == {"Aarhus Kommune", "Lyngby-Taarbæk Kommune", "Tårnby Kommune"}


def test_search_form_is_wired_for_htmx(client):
    html = client.get("/kommuner/").content.decode()
    assert 'hx-get="/kommuner/"' in html
    assert 'hx-target="#municipality-results"' in html
    assert '<label class="form-label" for="q">' in html


def test_overlong_and_odd_input_never_fails(client):
    for params in [{"q": "x" * 5000}, {"region": "'; DROP TABLE"}, {"politikreds": "<script>"}, {"q": "%_\\"}]:
        response = client.get("/kommuner/", params)
        assert response.status_code == 200
    assert "<script>" not in client.get("/kommuner/", {"q": "<script>"}).content.decode().split("</h1>", 1)[1]


@pytest.mark.parametrize(
    ("params", "headers", "queries"),
    [
        ({}, {}, 4),  # results, regions, police districts, total
        ({"region": "1084"}, {}, 4),
        ({"q": "aar", "politikreds": "1461"}, {}, 4),
        ({}, {"HX-Request": "true"}, 2),  # results and total
    ],
)
def test_list_query_count_is_pinned(client, django_assert_num_queries, params, headers, queries):
    with django_assert_num_queries(queries):
        assert client.get("/kommuner/", params, headers=headers).status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    with django_assert_num_queries(4):
        few = client.get("/kommuner/", {"region": "1085"})
    with django_assert_num_queries(4):
        many = client.get("/kommuner/")
    assert len(result_names(few.content.decode())) < len(result_names(many.content.decode()))


def test_municipality_detail(client):
    kbh = Organisation.objects.get(code="101")
    Contact.objects.create(
        organisation=kbh, function=ContactFunction.RELEASE, unit_name="Team for løsladte", phone="33 66 33 66"
    )
    krfo = Contact.objects.create(
        organisation=Organisation.objects.get(code="krfo-kif-hovedstaden"),
        function=ContactFunction.KRFO_CONTACT,
        unit_name="Kontaktperson for kommunerne",
        person_name="Kirsten Kontakt",
    )
    krfo.covers.add(kbh)
    response = client.get("/kommuner/101/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Københavns Kommune</h1>" in html
    assert "Kommunekode 101 · Region Hovedstaden · Københavns Politi" in html
    for function in [
        "Hovedkontakt",
        "Ved indsættelse",
        "Ved løsladelse",
        "Ved varetægtsfængsling",
        "Exit (rocker/bande)",
    ]:
        assert f">{function}</h2>" in html
    assert "Team for løsladte" in html
    assert "Kirsten Kontakt" in html
    assert html.count("Ingen kontakt registreret. Brug hovedkontakten.") == 4


@pytest.mark.parametrize("code", ["999", "1470", "krfo-direktoratet", "abc"])
def test_unknown_municipality_is_a_danish_404(client, code):
    response = client.get(f"/kommuner/{code}/")
    assert response.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in response.content.decode()


def test_detail_query_count_is_pinned(client, django_assert_num_queries):
    # municipality, its contacts, KRFO contacts covering it, its routing lines and its units
    with django_assert_num_queries(5):
        client.get("/kommuner/751/")


# Who sees "Foreslå en ændring" on a municipality's page: KRFO roles and administrators for all,
# a coordinator for their own municipality only (the test puts the coordinator in Aarhus, 751).
PROPOSE_LINK = [
    (Role.KRFO_CASE_WORKER, True, True),
    (Role.KRFO_MANAGER, True, True),
    (Role.PROBATION_OFFICER, True, True),
    (Role.YOUTH_SUPERVISOR, True, True),
    (Role.MUNICIPAL_CASE_WORKER, False, False),
    (Role.MUNICIPAL_COORDINATOR, False, True),
    (Role.POLICE_OFFICER, False, False),
    (Role.UDK_OFFICER, False, False),
    (Role.ADMINISTRATOR, True, True),
]


def test_propose_table_covers_every_role():
    assert {row[0] for row in PROPOSE_LINK} == set(Role)


@pytest.mark.parametrize(("role", "on_101", "on_751"), PROPOSE_LINK)
def test_propose_change_link_per_role(client, role, on_101, on_751):
    client.force_login(user_with_role(role, "751" if role == Role.MUNICIPAL_COORDINATOR else None))
    for code, expected in (("101", on_101), ("751", on_751)):
        html = client.get(f"/kommuner/{code}/").content.decode()
        assert ("Foreslå en ændring" in html) is expected, (role, code)


def test_anonymous_never_sees_the_propose_link(client):
    assert "Foreslå en ændring" not in client.get("/kommuner/101/").content.decode()
