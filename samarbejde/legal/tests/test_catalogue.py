"""The legal catalogue: stable keys that survive renaming, and a link to every act's official text."""

import json

import pytest

from samarbejde.legal.models import Act, Paragraph
from samarbejde.legal.reference import SOURCE, load_acts, paragraph_key
from samarbejde.legal.selectors import paragraph_by_key, paragraphs_by_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("act_key", "reference", "key"),
    [
        ("social-pension", "§ 46", "social-pension:46"),
        ("koordineringsbekendtgoerelsen", "§ 3, stk. 1", "koordineringsbekendtgoerelsen:3-1"),
        ("retsplejeloven", "§ 115, stk. 1, nr. 3", "retsplejeloven:115-1-3"),
        ("retsplejeloven", "§ 808", "retsplejeloven:808"),
        ("indberetningscirkulaeret", "", "indberetningscirkulaeret"),
        ("serviceloven", "§ 52 a", "serviceloven:52"),
    ],
)
def test_paragraph_key(act_key, reference, key):
    assert paragraph_key(act_key, reference) == key


def test_every_act_and_paragraph_has_a_unique_key_and_every_act_a_link():
    # As many acts as the reference file ships (helpers add acts in parallel; the file is the one count).
    shipped = len(json.loads(SOURCE.read_text(encoding="utf-8"))["acts"])
    assert shipped >= 16
    assert Act.objects.count() == shipped
    assert Act.objects.filter(url__startswith="https://www.retsinformation.dk/eli/").count() == shipped
    keys = list(Paragraph.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) and all(keys)
    assert paragraph_by_key("social-pension:46").reference == "§ 46"
    assert set(paragraphs_by_key(["retsplejeloven:808", "nope"])) == {"retsplejeloven:808"}


def test_renaming_an_act_keeps_its_keys_and_the_loader_does_not_duplicate_it():
    act = Act.objects.get(key="social-pension")
    act.short_name = "Pensionsloven (omdøbt af administrator)"
    act.save()
    load_acts()
    assert Act.objects.filter(key="social-pension").count() == 1
    assert Act.objects.get(key="social-pension").short_name == "Pensionsloven (omdøbt af administrator)"
    assert paragraph_by_key("social-pension:46").act.short_name == "Pensionsloven (omdøbt af administrator)"


def test_loader_fills_a_missing_link_but_keeps_an_edited_one():
    Act.objects.filter(key="serviceloven").update(url="")
    Act.objects.filter(key="retsplejeloven").update(url="https://example.org/rpl")
    load_acts()
    assert Act.objects.get(key="serviceloven").url == "https://www.retsinformation.dk/eli/lta/2022/170"
    assert Act.objects.get(key="retsplejeloven").url == "https://example.org/rpl"


def test_a_paragraph_added_in_the_admin_gets_its_key_once():
    act = Act.objects.get(key="serviceloven")
    paragraph = Paragraph.objects.create(act=act, reference="§ 85", summary="Socialpædagogisk bistand")
    assert paragraph.key == "serviceloven:85"
    paragraph.reference = "§ 85, stk. 1"
    paragraph.save()
    paragraph.refresh_from_db()
    assert paragraph.key == "serviceloven:85"


def test_legal_basis_page_links_every_act_to_its_official_text(client):
    body = client.get("/lovgrundlag/").content.decode()
    for url in Act.objects.values_list("url", flat=True):
        assert f'href="{url}"' in body
