"""The legal-basis catalogue: the seed's 14 acts (plus acts later flows cite) with numbers, dates, paragraphs, page."""

import re
from datetime import date

import pytest

from samarbejde.legal.models import Act, ActKind, Paragraph
from samarbejde.legal.reference import load_acts
from samarbejde.legal.selectors import acts_with_paragraphs, paragraph_by_citation

pytestmark = pytest.mark.django_db

ACTS = [
    ("Straffuldbyrdelsesloven", ActKind.CONSOLIDATED_ACT, "1333", date(2019, 12, 9), True),
    ("Retsplejeloven", ActKind.CONSOLIDATED_ACT, "1655", date(2022, 12, 25), True),
    ("Retssikkerhedsloven", ActKind.CONSOLIDATED_ACT, "265", date(2022, 2, 25), True),
    ("Serviceloven", ActKind.CONSOLIDATED_ACT, "170", date(2022, 1, 24), True),
    ("CPR-loven", ActKind.CONSOLIDATED_ACT, "702", date(2022, 5, 23), True),
    ("Folkeregistercirkulæret", ActKind.CIRCULAR, "87", date(1985, 8, 9), False),
    ("Ændring af folkeregistercirkulæret", ActKind.CIRCULAR, "11320", date(1988, 10, 24), False),
    ("Cirkulæreskrivelse om indberetning", ActKind.CIRCULAR_LETTER, "11319", date(1994, 8, 19), False),
    ("Bekendtgørelse om hjælp til indsatte", ActKind.EXECUTIVE_ORDER, "1471", date(2019, 12, 16), True),
    ("Koordineringsbekendtgørelsen", ActKind.EXECUTIVE_ORDER, "642", date(2006, 6, 15), True),
    ("Handleplansbegrænsningsbekendtgørelsen", ActKind.EXECUTIVE_ORDER, "421", date(2015, 4, 9), True),
    ("Handleplanscirkulæret", ActKind.CIRCULAR, "9741", date(2022, 6, 28), True),
    ("Handleplansvejledningen", ActKind.GUIDANCE, "9926", date(2022, 8, 26), True),
    ("Varetægtsbekendtgørelsen", ActKind.EXECUTIVE_ORDER, "173", date(2022, 1, 31), True),
]
SEED_ACT_COUNT = 14  # the acts listed under "Lovgrundlag" on the seed page
# Acts that later flows cite beyond the seed's list (domain.md: pension stops during imprisonment, § 46).
EXTRA_ACTS = [
    ("Lov om social pension", ActKind.CONSOLIDATED_ACT, "1123", date(2024, 10, 21), False),
]


def test_the_seeds_fourteen_acts_come_first_in_catalogue_order():
    assert len(ACTS) == SEED_ACT_COUNT
    assert list(Act.objects.values_list("short_name", flat=True)) == [row[0] for row in ACTS + EXTRA_ACTS]


@pytest.mark.parametrize(("short_name", "kind", "number", "issued_on", "verified"), ACTS + EXTRA_ACTS)
def test_act_number_date_and_verification(short_name, kind, number, issued_on, verified):
    act = Act.objects.get(short_name=short_name)
    assert (act.kind, act.number, act.issued_on, act.is_verified) == (kind, number, issued_on, verified)
    assert act.title
    assert act.paragraphs.exists(), "every act has at least one entry (the act as a whole has reference '')"


def test_unverified_acts_are_the_old_circulars_and_the_unchecked_pension_act_and_carry_a_note():
    unverified = Act.objects.filter(is_verified=False)
    old_circulars = unverified.filter(kind__in=[ActKind.CIRCULAR, ActKind.CIRCULAR_LETTER])
    assert old_circulars.count() == 3
    assert all(act.issued_on.year < 2000 for act in old_circulars)
    assert set(unverified.values_list("short_name", flat=True)) - set(
        old_circulars.values_list("short_name", flat=True)
    ) == {"Lov om social pension"}
    assert all(act.note for act in unverified)


def test_citation_is_danish():
    assert Act.objects.get(short_name="Straffuldbyrdelsesloven").citation == "LBKG nr. 1333 af 9. december 2019"
    assert Act.objects.get(short_name="Retsplejeloven").citation == "LBKG nr. 1655 af 25. december 2022"


@pytest.mark.parametrize(
    ("short_name", "reference"),
    [
        ("Retsplejeloven", "§ 808"),
        ("Retsplejeloven", "§ 115, stk. 1, nr. 3"),
        ("Straffuldbyrdelsesloven", "§ 31, stk. 2"),
        ("Serviceloven", "§ 140"),
        ("CPR-loven", "§ 15"),
        ("Koordineringsbekendtgørelsen", "§ 3, stk. 2"),
        ("Handleplanscirkulæret", "§ 1"),
        ("Varetægtsbekendtgørelsen", ""),
    ],
)
def test_paragraph_by_citation(short_name, reference):
    paragraph = paragraph_by_citation(short_name, reference)
    assert paragraph.act.short_name == short_name
    assert str(paragraph) == f"{short_name} {reference}".strip()


def test_unknown_citation_raises():
    with pytest.raises(Paragraph.DoesNotExist):
        paragraph_by_citation("Retsplejeloven", "§ 9999")


def test_paragraphs_keep_their_order():
    act = acts_with_paragraphs().get(short_name="Retsplejeloven")
    assert [p.reference for p in act.paragraphs.all()] == [
        "§ 808",
        "§ 115, stk. 1, nr. 3",
        "§ 115, stk. 2",
        "§ 115, stk. 4",
    ]


def test_loader_is_idempotent_and_keeps_admin_edits():
    act = Act.objects.get(short_name="Retsplejeloven")
    act.title = "Retsplejeloven (redigeret)"
    act.save()
    paragraph = Paragraph.objects.get(act=act, reference="§ 808")
    paragraph.summary = "Redigeret resumé"
    paragraph.save()
    counts = (Act.objects.count(), Paragraph.objects.count())
    assert load_acts() == SEED_ACT_COUNT + len(EXTRA_ACTS)
    assert load_acts() == SEED_ACT_COUNT + len(EXTRA_ACTS)
    assert (Act.objects.count(), Paragraph.objects.count()) == counts
    act.refresh_from_db()
    paragraph.refresh_from_db()
    assert act.title == "Retsplejeloven (redigeret)"
    assert paragraph.summary == "Redigeret resumé"


def test_legal_basis_page_lists_every_act(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # acts + their paragraphs, whatever the number of acts
        response = client.get("/lovgrundlag/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Lovgrundlag</h1>" in html
    for short_name, kind, number, *_ in ACTS:
        assert f"<strong>{short_name}</strong>" in html
        assert f"{kind} nr. {number} af" in html
    assert html.count("Gyldighed ikke efterprøvet") == 4
    assert "<strong>§ 808</strong>" in html
    rows = re.findall(r"<tr>", html)
    assert len(rows) == 1 + SEED_ACT_COUNT + len(EXTRA_ACTS)  # header row and one per act
