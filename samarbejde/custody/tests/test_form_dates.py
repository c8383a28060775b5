"""The custody forms' dates: the plausible window of samarbejde.core.dates, the same as the API's (issue 9,
point 7). Year 1, year 9999, decades ago, before the person's birth, far ahead: a Danish message on the form,
never a 500, nothing saved. hypothesis: no typed date makes the forms raise."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from samarbejde.custody.forms import AdmissionForm, ConvertForm, ReleaseDateForm, ReleaseForm, TransferForm
from samarbejde.custody.models import CustodyType, Episode
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.organisations.models import Organisation
from samarbejde.people.models import Person

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
NOW = datetime(2027, 3, 24, 10, 0, tzinfo=TZ)
ADMISSION_URL = reverse("custody:admission_create")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def admission_data(cpr="010150-1234", **overrides) -> dict:
    data = {
        "cpr": cpr,
        "first_name": "Jens",
        "last_name": "Hansen",
        "address": "Testvej 1, 2450 København SV",
        "home_municipality": "101",
        "pension": "folkepension",
        "benefits": ["kontanthjaelp"],
        "institution": INSTITUTION,
        "custody_type": CustodyType.REMAND,
        "admitted_at": "2027-03-24T09:00",
        "expected_release": "2027-09-01",
        "certainty": "estimated",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admitted_at": "0001-01-01T00:00"}, "mere end 2 år tilbage"),
        ({"admitted_at": "01-01-0001 00:00"}, "mere end 2 år tilbage"),
        ({"admitted_at": "9999-12-31T23:59"}, "for langt ude i fremtiden"),
        ({"admitted_at": "1997-03-24T09:00"}, "mere end 2 år tilbage (før 24. marts 2025)"),
        ({"admitted_at": "2027-03-26T09:00"}, "for langt ude i fremtiden (senest 25. marts 2027)"),
        ({"expected_release": "2072-03-01"}, "mere end 30 år ude i fremtiden"),
        ({"expected_release": "9999-12-31"}, "mere end 30 år ude i fremtiden"),
        ({"expected_release": "0001-01-01"}, "tilbage"),
        (
            {"cpr": "010327-4001", "admitted_at": "2027-02-20T09:00", "expected_release": None, "certainty": "unknown"},
            "før personens fødselsdato (1. marts 2027",
        ),
    ],
)
def test_implausible_admission_dates_are_refused_in_danish(client, overrides, message):
    client.force_login(krfo_case_worker())
    before = (Person.objects.count(), Episode.objects.count())
    response = client.post(ADMISSION_URL, admission_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Person.objects.count(), Episode.objects.count()) == before


def test_a_plausible_admission_is_registered(client):
    client.force_login(krfo_case_worker())
    response = client.post(ADMISSION_URL, admission_data(admitted_at="2025-04-01T09:00"))
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1990-01-01T00:00"])
def test_episode_actions_refuse_implausible_dates(client, value):
    worker = krfo_case_worker()
    episode = admit(make_person(acting_user=worker), acting_user=worker).episode
    client.force_login(worker)
    for name, field in (("episode_convert", "convert-occurred_at"), ("episode_release", "release-released_at")):
        response = client.post(
            reverse(f"custody:{name}", args=[episode.pk]), {field: value, "release-release_kind": "parole"}
        )
        assert response.status_code in (200, 302)
        episode.refresh_from_db()
        assert episode.custody_type == CustodyType.REMAND and episode.released_at is None


typed = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.datetimes().map(lambda d: d.strftime("%d-%m-%Y %H:%M")),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=30),
)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=typed, day=typed)
def test_no_typed_date_makes_a_form_raise(moment, day):
    institution = Organisation.objects.get(code=INSTITUTION)
    forms = [
        AdmissionForm(
            admission_data(admitted_at=moment, expected_release=day),
            person=None,
            municipalities=[("101", "København")],
            institutions=[institution],
        ),
        ConvertForm({"occurred_at": moment}),
        TransferForm({"occurred_at": moment, "to_institution": ""}, institutions=[institution], current=institution),
        ReleaseDateForm({"expected_release": day, "certainty": "estimated"}),
        ReleaseForm({"released_at": moment, "release_kind": "parole"}),
    ]
    for form in forms:
        form.is_valid()  # never raises; a value outside the window is an error on its field
        for name in ("admitted_at", "occurred_at", "released_at"):
            value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
            if value is not None:
                assert NOW - timedelta(days=2 * 366) <= value <= NOW + timedelta(days=1)
