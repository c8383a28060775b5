"""Reference data and demo data loaders: complete, and idempotent (safe to run on every start)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from samarbejde.demo.data import DEMO_USERS, load_demo_directory, load_demo_users
from samarbejde.legal.models import Act, Paragraph
from samarbejde.legal.reference import SOURCE as LEGAL_SOURCE
from samarbejde.organisations.models import (
    MUNICIPAL_FUNCTIONS,
    Contact,
    ContactFunction,
    Department,
    Membership,
    Organisation,
    Region,
)
from samarbejde.organisations.reference import load_municipalities, load_other_organisations
from samarbejde.organisations.roles import DepartmentKind, OrgKind

pytestmark = pytest.mark.django_db

SHIPPED_ACTS = len(json.loads(LEGAL_SOURCE.read_text(encoding="utf-8"))["acts"])


def counts() -> dict[str, int]:
    return {
        "municipalities": Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).count(),
        "regions": Region.objects.count(),
        "police_districts": Organisation.objects.filter(kind=OrgKind.POLICE_DISTRICT).count(),
        "organisations": Organisation.objects.count(),
        "departments": Department.objects.count(),
        "acts": Act.objects.count(),
        "paragraphs": Paragraph.objects.count(),
    }


def test_reference_data_is_complete():
    c = counts()
    assert c["municipalities"] == 98
    assert c["regions"] == 5
    assert c["police_districts"] == 12
    # The seed's 14 + lov om social pension + databeskyttelsesloven (consent); helpers add acts in parallel,
    # so the shipped file is the count.
    assert c["acts"] == SHIPPED_ACTS >= 16
    municipalities = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
    assert not municipalities.filter(region__isnull=True).exists()
    assert not municipalities.filter(police_district__isnull=True).exists()
    assert set(municipalities.values_list("police_district__kind", flat=True)) == {OrgKind.POLICE_DISTRICT}
    per_municipality = municipalities.annotate(n=Count("departments")).values_list("n", flat=True)
    assert set(per_municipality) == {6}
    kinds = set(Department.objects.filter(organisation__code="101").values_list("kind", flat=True))
    assert kinds == set(DepartmentKind.values)
    # Every region and police district has municipalities; codes are 3 digits.
    assert not Region.objects.annotate(n=Count("organisations")).filter(n=0).exists()
    assert not (
        Organisation.objects.filter(kind=OrgKind.POLICE_DISTRICT).annotate(n=Count("municipalities")).filter(n=0)
    ).exists()
    assert all(len(code) == 3 and code.isdigit() for code in municipalities.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("code", "name", "region", "district"),
    [
        ("101", "Københavns Kommune", "Region Hovedstaden", "Københavns Politi"),
        ("751", "Aarhus Kommune", "Region Midtjylland", "Østjyllands Politi"),
        ("461", "Odense Kommune", "Region Syddanmark", "Fyns Politi"),
        ("400", "Bornholms Regionskommune", "Region Hovedstaden", "Bornholms Politi"),
        ("851", "Aalborg Kommune", "Region Nordjylland", "Nordjyllands Politi"),
    ],
)
def test_municipality_facts(code, name, region, district):
    municipality = Organisation.objects.select_related("region", "police_district").get(code=code)
    assert (municipality.name, municipality.region.name, municipality.police_district.name) == (
        name,
        region,
        district,
    )


def test_reference_loader_twice_changes_nothing(capsys):
    before = counts()
    call_command("load_reference_data")
    call_command("load_reference_data")
    assert counts() == before
    out = capsys.readouterr().out
    assert "98 municipalities" in out
    assert f"{SHIPPED_ACTS} acts" in out


def test_reference_loader_restores_missing_departments():
    Department.objects.filter(organisation__code="101", kind=DepartmentKind.JOBCENTER).delete()
    load_municipalities()
    assert Department.objects.filter(organisation__code="101").count() == 6


def test_reference_loader_keeps_admin_edits_to_krfo_units():
    unit = Organisation.objects.get(code="krfo-storstroem")
    unit.name = "Fængslet Storstrøm (redigeret af administrator)"
    unit.address = "Ny adresse 1"
    unit.save()
    load_other_organisations()
    call_command("load_reference_data")
    unit.refresh_from_db()
    assert unit.name == "Fængslet Storstrøm (redigeret af administrator)"
    assert unit.address == "Ny adresse 1"


def test_reference_loader_brings_municipality_facts_up_to_date():
    Organisation.objects.filter(code="101").update(name="Forkert navn")
    load_municipalities()
    assert Organisation.objects.get(code="101").name == "Københavns Kommune"


def demo_counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "contacts": Contact.objects.count(),
        "covers": Contact.covers.through.objects.count(),
    }


def test_demo_loader_is_idempotent():
    load_demo_users()
    created = load_demo_directory()
    assert created == 98 * len(MUNICIPAL_FUNCTIONS) + 6  # five contacts a municipality, six KiF contact persons
    first = demo_counts()
    assert first["users"] == len(DEMO_USERS)
    assert first["memberships"] == sum(len(u.memberships) for u in DEMO_USERS)
    load_demo_users()
    assert load_demo_directory() == 0
    assert demo_counts() == first


def test_demo_directory_fills_every_municipal_page():
    load_demo_directory()
    municipalities = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)
    functions = municipalities.annotate(n=Count("contacts")).values_list("n", flat=True)
    assert set(functions) == {len(MUNICIPAL_FUNCTIONS)}
    # Every municipality is covered by exactly one KRFO contact person.
    covered = municipalities.annotate(n=Count("krfo_contacts")).values_list("n", flat=True)
    assert set(covered) == {1}
    assert Contact.objects.filter(function=ContactFunction.KRFO_CONTACT).count() == 6
    # Illustrative data only: no real mailbox.
    assert all(m.endswith(".invalid") for m in Contact.objects.values_list("secure_mailbox", flat=True))


def test_demo_loader_keeps_edited_contacts():
    load_demo_directory()
    contact = Contact.objects.get(organisation__code="101", function=ContactFunction.MAIN)
    contact.unit_name = "Rettet af kommunen"
    contact.save()
    load_demo_directory()
    contact.refresh_from_db()
    assert contact.unit_name == "Rettet af kommunen"


def test_demo_contacts_carry_a_visible_demo_mark(client):
    load_demo_directory()
    assert not Contact.objects.filter(is_demo=False).exists()
    html = client.get("/kommuner/101/").content.decode()
    assert (
        html.count('<span class="badge badge-warning">Demodata</span>')
        == Contact.objects.filter(organisation__code="101").count() + Contact.objects.filter(covers__code="101").count()
    )
    assert "ikke kommunens rigtige kontakt" in html
    real = Contact.objects.create(
        organisation=Organisation.objects.get(code="751"), function=ContactFunction.MAIN, unit_name="Rigtig enhed"
    )
    page = client.get("/kommuner/751/").content.decode()
    card = page[page.index("Rigtig enhed") : page.index("Rigtig enhed") + 200]
    assert "Demodata" not in card and not real.is_demo


def test_demo_routing_gives_copenhagen_its_units_and_lines():
    from samarbejde.demo.data import load_demo_routing
    from samarbejde.organisations.models import NoticeRoute

    assert load_demo_routing() == 5
    assert load_demo_routing() == 0  # idempotent
    lines = {(r.topic, r.subject): r.department.name for r in NoticeRoute.objects.filter(organisation__code="101")}
    assert lines[("cpr_register", "")] == "Folkeregisteret"
    assert lines[("benefits", "kontanthjaelp")].startswith("Ydelsesservice")


def test_demo_data_command_refuses_without_debug_or_force(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert not get_user_model().objects.exists()
    call_command("load_demo_data", "--force")
    call_command("load_demo_data", "--force")
    assert get_user_model().objects.count() == len(DEMO_USERS)
    assert (
        "Demo data: 13 users, 0 new directory contacts, 0 new demo people, 0 new demo PDFs for public documents."
        in capsys.readouterr().out
    )
