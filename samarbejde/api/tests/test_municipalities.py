"""GET /api/v1/municipalities/ and /api/v1/municipalities/{code}/: public JSON, problem+json errors."""

import pytest
from django.urls import reverse

from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.organisations.models import Contact, ContactFunction, Organisation
from samarbejde.organisations.roles import OrgKind, Role

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/municipalities/"


def detail_url(code: str) -> str:
    return f"/api/v1/municipalities/{code}/"


@pytest.fixture
def directory():
    """Contacts for København (101) and a KRFO contact person covering it."""
    kbh = Organisation.objects.get(code="101")
    for order, function in enumerate([ContactFunction.MAIN, ContactFunction.RELEASE]):
        Contact.objects.create(
            organisation=kbh,
            function=function,
            unit_name=f"Enhed {order}",
            address="Rådhuspladsen 1, 1550 København V",
            secure_mailbox=f"enhed{order}@kk.invalid",
            phone="33 66 33 66",
            opening_hours="Man-fre 9-15",
            notes="Ring først.",
            sort_order=order,
        )
    krfo = Contact.objects.create(
        organisation=Organisation.objects.get(code="krfo-kif-hovedstaden"),
        function=ContactFunction.KRFO_CONTACT,
        unit_name="Kontaktperson for kommunerne",
        person_name="Kirsten Kontakt",
        secure_mailbox="kontakt@krfo.invalid",
    )
    krfo.covers.add(kbh)
    return kbh


def test_list_is_public_json_with_all_98_municipalities_ordered_by_name(client):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert len(data) == 98
    expected_order = list(
        Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).order_by("name").values_list("code", flat=True)
    )
    assert [item["code"] for item in data] == expected_order
    assert "sessionid" not in response.cookies


def test_list_item_shape(client):
    data = {item["code"]: item for item in client.get(LIST_URL).json()}
    assert data["751"] == {
        "code": "751",
        "name": "Aarhus Kommune",
        "region": {"code": "1082", "name": "Region Midtjylland"},
        "police_district": {"code": "1461", "name": "Østjyllands Politi"},
        "url": "http://testserver" + reverse("public:municipality_detail", args=["751"]),
        "api_url": "http://testserver" + detail_url("751"),
    }
    assert all(item["region"] and item["police_district"] for item in data.values())


@pytest.mark.parametrize(
    ("params", "expected_count", "must_contain"),
    [
        ({"region": "1084"}, 29, "101"),  # Region Hovedstaden
        ({"region": "1085"}, 17, "259"),  # Region Sjælland (Køge)
        ({"police_district": "1470"}, 4, "147"),  # Københavns Politi: København, Frederiksberg, Tårnby, Dragør
        ({"q": "aarhus"}, 1, "751"),
        ({"q": "101"}, 1, "101"),
        ({"q": "findes-ikke"}, 0, None),
    ],
)
def test_list_filters(client, params, expected_count, must_contain):
    data = client.get(LIST_URL, params).json()
    assert len(data) == expected_count
    if must_contain:
        assert must_contain in {item["code"] for item in data}


def test_list_query_count_is_constant(client, django_assert_num_queries, directory):
    with django_assert_num_queries(1):
        assert len(client.get(LIST_URL).json()) == 98
    with django_assert_num_queries(1):
        assert len(client.get(LIST_URL, {"region": "1081"}).json()) < 98
    Organisation.objects.filter(code__in=["101", "147"]).update(is_active=False)
    with django_assert_num_queries(1):
        assert len(client.get(LIST_URL).json()) == 96


def test_detail_has_contacts_per_function_and_krfo_contacts(client, directory):
    response = client.get(detail_url("101"))
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "101"
    assert data["name"] == "Københavns Kommune"
    assert data["region"] == {"code": "1084", "name": "Region Hovedstaden"}
    assert data["police_district"] == {"code": "1470", "name": "Københavns Politi"}
    assert data["url"] == "http://testserver/kommuner/101/"
    assert data["contacts"] == [
        {
            "function": "main",
            "function_label": "Hovedkontakt",
            "unit_name": "Enhed 0",
            "address": "Rådhuspladsen 1, 1550 København V",
            "secure_mailbox": "enhed0@kk.invalid",
            "phone": "33 66 33 66",
            "opening_hours": "Man-fre 9-15",
            "notes": "Ring først.",
        },
        {
            "function": "release",
            "function_label": "Ved løsladelse",
            "unit_name": "Enhed 1",
            "address": "Rådhuspladsen 1, 1550 København V",
            "secure_mailbox": "enhed1@kk.invalid",
            "phone": "33 66 33 66",
            "opening_hours": "Man-fre 9-15",
            "notes": "Ring først.",
        },
    ]
    assert data["krfo_contacts"] == [
        {
            "organisation": {"code": "krfo-kif-hovedstaden", "name": "Kriminalforsorgen i Frihed, Hovedstaden"},
            "unit_name": "Kontaktperson for kommunerne",
            "person_name": "Kirsten Kontakt",
            "address": "",
            "secure_mailbox": "kontakt@krfo.invalid",
            "phone": "",
            "opening_hours": "",
            "notes": "",
        }
    ]


def test_detail_without_contacts_has_empty_lists(client):
    data = client.get(detail_url("751")).json()
    assert data["contacts"] == []
    assert data["krfo_contacts"] == []


def test_detail_query_count_does_not_grow_with_contacts(client, django_assert_num_queries, directory):
    with django_assert_num_queries(3):
        client.get(detail_url("101"))
    for n in range(5):
        Contact.objects.create(organisation=directory, function=ContactFunction.REMAND, unit_name=f"Ekstra {n}")
        extra = Contact.objects.create(
            organisation=Organisation.objects.get(code="krfo-storstroem"),
            function=ContactFunction.KRFO_CONTACT,
            unit_name=f"Kontakt {n}",
        )
        extra.covers.add(directory)
    with django_assert_num_queries(3):
        data = client.get(detail_url("101")).json()
    assert len(data["contacts"]) == 7
    assert len(data["krfo_contacts"]) == 6


@pytest.mark.parametrize("code", ["999", "abc", "1470", "krfo-direktoratet", "0101", "x" * 200])
def test_unknown_municipality_is_404_problem_json_in_danish(client, code):
    response = client.get(detail_url(code))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Ikke fundet",
        "status": 404,
        "detail": "Kommunen findes ikke.",
    }


def test_inactive_municipality_is_404(client):
    Organisation.objects.filter(code="101").update(is_active=False)
    assert client.get(detail_url("101")).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", [LIST_URL, detail_url("101")])
def test_writes_are_405_problem_json(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 405
    assert problem["title"] == "Metoden er ikke tilladt"
    assert problem["detail"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_same_public_data(role):
    """Logged in or not, the API is the same (and a session without CSRF does not turn GET into 403)."""
    from django.test import Client

    anonymous = Client().get(detail_url("101")).json()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(role))
    response = client.get(detail_url("101"))
    assert response.status_code == 200
    assert response.json() == anonymous
    assert client.post(LIST_URL).status_code == 405
