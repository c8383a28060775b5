"""/blanketter/: the index of the inmate forms for KRFO staff. Find the inmate by CPR (posted and redirected, never
in a URL), the forms the user's organisation prepared most recently (an audited read per person shown), access
as the other forms pages, and the link in the staff menu."""

import pytest
from django.test import Client
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import admit
from samarbejde.documents.models import FormKind
from samarbejde.documents.selectors import RECENT_FORMS_LIMIT
from samarbejde.documents.services import inmate_form_prepare
from samarbejde.documents.views import MSG_PERSON_NOT_FOUND
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import CAPABILITIES, Cap, Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.cpr import MSG_DATE, MSG_LENGTH
from samarbejde.people.services import person_register

pytestmark = pytest.mark.django_db

INDEX = reverse("documents:index")
CPR = "010170-1234"


@pytest.fixture
def krfo():
    return user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")


def register(user, cpr: str = CPR, first_name: str = "Ole", last_name: str = "Olsen"):
    return person_register(
        cpr=cpr,
        first_name=first_name,
        last_name=last_name,
        home_municipality=Organisation.objects.get(code="101"),
        acting_user=user,
    )


@pytest.fixture
def person(krfo):
    person = register(krfo)
    admit(person, acting_user=krfo)  # Københavns Fængsler holds the person (ADR 0008)
    return person


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(Role))
def test_access_is_the_same_as_on_the_other_forms_pages(role, person):
    """KRFO roles (people.view_all) get the page; every other role gets the same 404 as on the person's forms
    page. The person is found only by the unit that holds them (the case worker's default organisation)."""
    client = logged_in(user_with_role(role))
    krfo_role = Cap.PERSON_VIEW_ALL in CAPABILITIES[role]
    holder = role == Role.KRFO_CASE_WORKER
    assert client.get(INDEX).status_code == (200 if krfo_role else 404)
    assert client.get(reverse("documents:forms_for_person", args=[person.pk])).status_code == (200 if holder else 404)
    posted = client.post(INDEX, {"cpr": CPR})
    assert posted.status_code == (302 if holder else 200 if krfo_role else 404)


def test_visitors_are_sent_to_the_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(INDEX, {"cpr": CPR}).status_code == 302
    assert not AuditEvent.objects.filter(action="people.search").exists()


def test_the_page_explains_the_two_forms_and_has_the_cpr_form(krfo):
    html = logged_in(krfo).get(INDEX).content.decode()
    assert "<h1>Blanketter til indsatte</h1>" in html
    assert FormKind.DIGITAL_POST_EXEMPTION.label in html
    assert FormKind.RELATIVE_READ_ACCESS.label in html
    assert f'<form method="post" action="{INDEX}"' in html
    assert 'name="cpr"' in html and 'autocomplete="off"' in html
    assert "Der er endnu ikke udfyldt blanketter i Københavns Fængsler." in html


def test_a_known_cpr_redirects_to_the_persons_forms_without_the_number_in_the_url(krfo, person):
    client = logged_in(krfo)
    response = client.post(INDEX, {"cpr": "0101701234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:forms_for_person", args=[person.pk])
    assert "0101701234" not in response["Location"] and "010170" not in response["Location"]
    search = AuditEvent.objects.get(action="people.search", actor=krfo)
    assert search.person == person and search.details == {"found": True}
    assert search.purpose == "Blanketter til indsat"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        ("", "Skriv den indsattes CPR-nummer."),
        ("12345", MSG_LENGTH % {"count": 5}),
        ("320170-1234", MSG_DATE),
        ("abcdefghij", "Et CPR-nummer må kun indeholde cifre"),
        ("0" * 21, "Et CPR-nummer har 10 cifre"),
        ("020202-0202", MSG_PERSON_NOT_FOUND),
    ],
)
def test_bad_or_unknown_cpr_numbers_give_a_danish_message_on_the_page(krfo, person, cpr, message):
    response = logged_in(krfo).post(INDEX, {"cpr": cpr})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert message.replace("'", "&#x27;") in html or message in html
    # The searched number is looked up (and audited) only when it is a valid CPR number.
    searches = AuditEvent.objects.filter(action="people.search")
    assert searches.count() == (1 if cpr == "020202-0202" else 0)
    if searches:
        assert searches.get().person is None and searches.get().details == {"found": False}


def test_a_cpr_in_the_query_string_is_refused_and_not_searched(krfo, person):
    response = logged_in(krfo).get(INDEX, {"cpr": CPR})
    assert response.status_code == 400 and "CPR-nummer i adressen" in response.content.decode()
    assert not AuditEvent.objects.filter(action="people.search").exists()


def test_the_recent_forms_are_the_own_organisations_newest_first_each_person_audited_once(krfo, person):
    colleague = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    elsewhere = user_with_role(Role.KRFO_CASE_WORKER, "krfo-storstroem")
    other_person = register(krfo, cpr="020280-1234", first_name="Anna", last_name="Andersen")
    admit(other_person, acting_user=elsewhere, institution=Organisation.objects.get(code="krfo-storstroem"))
    first = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    second = inmate_form_prepare(
        person,
        kind=FormKind.RELATIVE_READ_ACCESS,
        relative_name="Mor Olsen",
        relative_cpr="030350-1234",
        acting_user=colleague,
    )
    theirs = inmate_form_prepare(other_person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=elsewhere)
    before = AuditEvent.objects.filter(action="documents.recent_list").count()

    html = logged_in(krfo).get(INDEX).content.decode()
    assert html.index(second.get_absolute_url()) < html.index(first.get_absolute_url())
    assert theirs.get_absolute_url() not in html
    assert "Anna Andersen" not in html
    assert "010170-1234" in html  # KRFO staff see the full number, as on the other KRFO lists
    assert "Mor Olsen" not in html and "030350-1234" not in html  # the relative is not on the list
    reads = AuditEvent.objects.filter(action="documents.recent_list")
    assert reads.count() - before == 1  # two forms of one person: one read
    read = reads.order_by("-occurred_at", "-id").first()
    assert (read.person, read.actor) == (person, krfo)
    assert read.purpose == "Senest udfyldte blanketter i Københavns Fængsler"


def test_the_list_shows_at_most_the_limit_and_its_query_count_does_not_grow(krfo, django_assert_num_queries):
    for n in range(RECENT_FORMS_LIMIT + 3):
        person = register(krfo, cpr=f"{n + 1:02d}0190-1234", first_name=f"Person{n}")
        admit(person, acting_user=krfo)
        inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    client = logged_in(krfo)
    client.get(INDEX)  # session and membership warm
    # Session, user, memberships; the forms with person and preparer; the audit rows in one insert.
    with django_assert_num_queries(5):
        html = client.get(INDEX).content.decode()
    assert html.count("/blanketter/person/") == RECENT_FORMS_LIMIT


@pytest.mark.parametrize("role", list(Role))
def test_the_staff_menu_links_the_page_for_krfo_roles_only(role):
    html = logged_in(user_with_role(role)).get("/start/").content.decode()
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{INDEX}"' in nav) is (Cap.PERSON_VIEW_ALL in CAPABILITIES[role])


def test_the_menu_marks_the_page_as_current(krfo):
    html = logged_in(krfo).get(INDEX).content.decode()
    assert f'<a href="{INDEX}" aria-current="page">Blanketter</a>' in html
