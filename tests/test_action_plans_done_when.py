"""Issue 11's "Done when" for the handleplan, through the pages (consent through its service).

A KRFO case worker registers an admission for a 4-month sentence; the episode says whether a plan is required
and why; they open the plan, appoint a handleplansansvarlig, record the client's consent, write the plan within
the deadline and share housing (on the legal basis) and income (on consent); the København coordinator sees
those two areas, adds the municipality's commitment; the client's plain-language plan prints in Danish and
English; the consent is revoked and København no longer sees the consent-based area.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.action_plans.models import ActionPlan, PlanAction
from samarbejde.consent.services import consent_give, consent_revoke
from samarbejde.custody.models import Episode
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db
AREAS = ("housing", "finances", "employment", "addiction", "health", "family", "leisure", "criminal_behaviour")


def test_the_handleplan_done_when(client):
    krfo = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    client.force_login(krfo)
    admitted = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        reverse("custody:admission_create"),
        {
            "cpr": "010190-1234",
            "first_name": "Sara",
            "last_name": "Samarbejde",
            "address": "Testvej 1, 2450 København SV",
            "home_municipality": "101",
            "pension": "none",
            "institution": "krfo-koebenhavns-faengsler",
            "custody_type": "sentence",
            "admitted_at": admitted.strftime("%Y-%m-%dT%H:%M"),
            "certainty": "unknown",
            "sentence_days": "120",
            "parole_with_supervision": "no",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    episode = Episode.objects.get(person__last_name="Samarbejde")
    assert (episode.sentence_days, episode.parole_with_supervision) == (120, False)
    page = client.get(reverse("custody:episode_detail", kwargs={"pk": episode.pk})).content.decode()
    assert "Handleplan ikke påkrævet" in page and "4 måneder eller derunder" in page
    due = timezone.localtime(episode.admitted_at).date() + timedelta(weeks=4)  # Køreplan step 5
    assert date_format(due, "DATE_FORMAT") in page

    client.post(reverse("action_plans:start", kwargs={"episode_pk": episode.pk}))
    plan = ActionPlan.objects.get(episode=episode)
    consent_give(
        episode.person,
        recipients=[Organisation.objects.get(code="101")],
        categories=["finances"],
        purpose="Koordinering af handleplan",
        given_on=timezone.localdate(),
        given_how="oral",
        witness_name="Vera Vidne",
        witness_role="Fængselsbetjent",
        acting_user=krfo,
    )
    data = {
        "version": 1,
        "status": "written",
        "responsible": str(krfo.pk),
        "intake_on": timezone.localdate().isoformat(),
    }
    for area in AREAS:
        data[f"{area}_assessment"], data[f"{area}_goals"] = "", ""
    data |= {"no_suitable_housing": "yes", "housing_goals": "Egen bolig", "finances_goals": "Kontanthjælp fra dag 1"}
    assert client.post(reverse("action_plans:edit", kwargs={"pk": plan.pk}), data).status_code == 302
    page = client.get(reverse("custody:episode_detail", kwargs={"pk": episode.pk})).content.decode()
    assert "Handleplan påkrævet" in page and "Ingen passende bolig" in page  # § 1, stk. 2 now applies
    assert "(overholdt)" in page
    response = client.post(
        reverse("action_plans:share", kwargs={"pk": plan.pk}),
        {"share-version": 2, "share-housing": "legal", "share-finances": "consent"},
    )
    assert response.status_code == 302

    client.force_login(coordinator)
    municipal = reverse("action_plans:municipal_detail", kwargs={"pk": plan.pk})
    page = client.get(municipal).content.decode()
    assert "Egen bolig" in page and "Kontanthjælp fra dag 1" in page
    municipality = Organisation.objects.get(code="101")
    response = client.post(
        reverse("action_plans:municipal_action", kwargs={"pk": plan.pk}),
        {
            "action-version": 3,
            "action-category": "finances",
            "action-description": "Kontanthjælp bevilges fra løsladelsen",
            "action-responsible_kind": "municipal_department",
            "action-responsible_unit": f"o:{municipality.pk}",
            "action-due_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "action-status": "not_started",
        },
    )
    assert response.status_code == 302
    assert PlanAction.objects.get(area__plan=plan).added_by == municipality

    client.force_login(krfo)
    for language, title in (("da", "Din handleplan"), ("en", "Your action plan")):
        page = client.get(reverse("action_plans:client", kwargs={"pk": plan.pk, "language": language})).content.decode()
        assert title in page and "Kontanthjælp bevilges fra løsladelsen" in page
        printed = client.get(
            reverse("action_plans:client", kwargs={"pk": plan.pk, "language": language}), {"udskrift": "pdf"}
        )
        assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")  # it prints
    from samarbejde.consent.models import Consent

    consent_revoke(
        Consent.objects.get(person=episode.person),
        revoked_on=timezone.localdate(),
        reason="Borgeren vil ikke længere",
        acting_user=krfo,
    )
    client.force_login(coordinator)
    page = client.get(municipal).content.decode()
    assert "Egen bolig" in page and "Kontanthjælp fra dag 1" not in page
