"""The handleplan pages: the episode box, KRFO's plan page (save, conflict with two editors, actions, sharing,
versions, PDF, the client's version in Danish and English), the municipality's page, the list's query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samarbejde.action_plans import services as s
from samarbejde.action_plans.models import ActionPlan, PlanAction
from samarbejde.action_plans.tests.factories import krfo_case_worker, municipal_user, new_episode, new_plan
from samarbejde.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def plan(worker):
    return new_plan(worker)


def url(plan, name="detail", **kw):
    return reverse(f"action_plans:{name}", kwargs={"pk": plan.pk, **kw})


def plan_data(plan, **over):
    data = {"version": plan.version, "status": "draft", "responsible": "", "intake_on": ""}
    for c in ("housing", "finances", "employment", "addiction", "health", "family", "leisure", "criminal_behaviour"):
        data[f"{c}_assessment"] = ""
        data[f"{c}_goals"] = ""
    data.update(over)
    return data


def test_the_episode_page_shows_whether_a_plan_is_required_and_why_and_opens_one(client, worker):
    episode = new_episode(worker, sentence_days=100)
    client.force_login(worker)
    page = client.get(reverse("custody:episode_detail", kwargs={"pk": episode.pk})).content.decode()
    assert "Handleplan ikke påkrævet" in page and "BEK nr. 421 af 9.4.2015 § 1" in page
    assert "Frist for handleplanen" in page
    response = client.post(reverse("action_plans:start", kwargs={"episode_pk": episode.pk}))
    plan = ActionPlan.objects.get(episode=episode)
    assert response.status_code == 302 and response["Location"] == url(plan)


def test_plan_page_save_and_audit(client, worker, plan):
    client.force_login(worker)
    page = client.get(url(plan))
    assert page.status_code == 200 and "Skriv handleplanen" in page.content.decode()
    assert AuditEvent.objects.filter(action="action_plans.view", person=plan.person).exists()
    response = client.post(url(plan, "edit"), plan_data(plan, status="written", housing_goals="Egen bolig"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2 and plan.status == "written"


def test_two_editors_get_a_danish_conflict_and_keep_their_input(client, worker, plan):
    client.force_login(worker)
    stale = plan_data(plan, housing_goals="Min tekst")
    assert client.post(url(plan, "edit"), plan_data(plan, housing_goals="Først")).status_code == 302
    response = client.post(url(plan, "edit"), stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert "ændret af en anden" in page and "Min tekst" in page
    plan.refresh_from_db()
    assert plan.areas.get(category="housing").goals == "Først" and plan.version == 2


def test_bad_action_input_gives_danish_messages_and_saves_nothing(client, worker, plan):
    client.force_login(worker)
    before = (timezone.localtime(plan.episode.admitted_at).date() - timedelta(days=2)).isoformat()
    data = {
        "action-version": plan.version,
        "action-category": "housing",
        "action-description": "Bolig",
        "action-responsible_kind": "other",
        "action-responsible_other": "",
        "action-due_on": before,
        "action-status": "not_started",
    }
    page = client.post(url(plan, "action_create"), data).content.decode()
    assert "Skriv navnet på den aktør" in page
    data["action-responsible_other"] = "Boligselskabet"
    page = client.post(url(plan, "action_create"), data).content.decode()
    assert "Fristen kan ikke ligge før indsættelsen" in page
    assert not PlanAction.objects.exists()
    data["action-due_on"] = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert client.post(url(plan, "action_create"), data).status_code == 302
    assert PlanAction.objects.get().responsible_other == "Boligselskabet"


def test_share_without_consent_is_refused_on_the_page(client, worker, plan):
    client.force_login(worker)
    page = client.post(url(plan, "share"), {"share-version": 1, "share-health": "consent"}).content.decode()
    assert "ikke et gyldigt samtykke" in page


def test_versions_pdf_and_client_versions(client, worker, plan):
    s.plan_update(
        plan,
        expected_version=1,
        status="written",
        areas={"housing": {"assessment": "", "goals": "Bolig"}},
        acting_user=worker,
    )
    client.force_login(worker)
    diff = client.get(url(plan, "version", number=2)).content.decode()
    assert "Bolig: mål" in diff and "Udarbejdet" in diff
    assert client.get(url(plan, "version", number=9)).status_code == 404
    pdf = client.get(url(plan, "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    da = client.get(url(plan, "client", language="da")).content.decode()
    en = client.get(url(plan, "client", language="en")).content.decode()
    assert "Din handleplan" in da and "Your action plan" in en and 'lang="en"' in en
    assert client.get(url(plan, "client", language="xx")).status_code == 404
    assert AuditEvent.objects.filter(action="action_plans.client_version", person=plan.person).count() == 2
    # Printed for the client in either language: a PDF of the same plain-language plan (audited like the page).
    assert "?udskrift=pdf" in da and "Download the plan as a PDF to print" in en
    for language in ("da", "en"):
        printed = client.get(url(plan, "client", language=language), {"udskrift": "pdf"})
        assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(action="action_plans.client_version", person=plan.person, details__pdf=True).count()
        == 2
    )


def test_the_municipality_sees_the_shared_areas_only_and_adds_its_commitment(client, worker, plan):
    s.plan_update(
        plan,
        expected_version=1,
        status="written",
        areas={"housing": {"assessment": "", "goals": "Bolig"}, "health": {"assessment": "Hemmelig", "goals": ""}},
        acting_user=worker,
    )
    plan.refresh_from_db()
    s.plan_share(plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker)
    plan.refresh_from_db()
    koebenhavn = municipal_user("101")
    client.force_login(koebenhavn)
    page = client.get(url(plan, "municipal_detail")).content.decode()
    assert "Bolig" in page and "Hemmelig" not in page
    assert client.get(url(plan)).status_code == 404  # KRFO's page is not the municipality's
    from samarbejde.organisations.models import Organisation

    municipality = Organisation.objects.get(code="101")
    data = {
        "action-version": plan.version,
        "action-category": "housing",
        "action-description": "Anvisning af bolig",
        "action-responsible_kind": "municipal_department",
        "action-responsible_unit": f"o:{municipality.pk}",
        "action-due_on": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "action-status": "in_progress",
    }
    assert client.post(url(plan, "municipal_action"), data).status_code == 302
    assert PlanAction.objects.get(area__plan=plan).added_by == municipality
    # Another municipality: 404.
    client.force_login(municipal_user("147"))
    assert client.get(url(plan, "municipal_detail")).status_code == 404


LIST_QUERIES = 5  # session, user, membership, the page of plans (joined), the audit insert


@pytest.mark.parametrize("plans", [1, 4])
def test_list_query_count_is_pinned_whatever_the_number_of_plans(client, worker, django_assert_num_queries, plans):
    for _ in range(plans):
        new_plan(worker)
    client.force_login(worker)
    client.get(reverse("action_plans:list"))  # warm the content-type and session caches
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(reverse("action_plans:list"))
    assert page.content.decode().count('href="/handleplaner/') == plans


@pytest.mark.parametrize("plans", [1, 3])
def test_municipal_list_query_count_is_pinned(client, worker, django_assert_num_queries, plans):
    for _ in range(plans):
        plan = new_plan(worker)
        s.plan_share(plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker)
    koebenhavn = municipal_user("101")
    client.force_login(koebenhavn)
    client.get(reverse("action_plans:list"))
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(reverse("action_plans:list"))
    assert page.content.decode().count('href="/handleplaner/kommune/') == plans


def test_the_plan_page_costs_the_same_with_more_actions(client, worker, plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(worker)

    def count():
        client.get(url(plan))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(plan)).status_code == 200
        return len(queries.captured_queries)

    plan.refresh_from_db()
    few = count()
    for category in ("housing", "finances", "health"):
        plan.refresh_from_db()
        s.action_add(
            plan,
            expected_version=plan.version,
            category=category,
            description="X",
            responsible_kind="client",
            due_on=timezone.localdate() + timedelta(days=3),
            acting_user=worker,
        )
    plan.refresh_from_db()
    assert count() == few


def test_the_sharing_notice_links_the_municipality_to_its_page(client, worker, plan):
    notice = s.plan_share(plan, expected_version=1, shares={"housing": "legal"}, acting_user=worker).notifications[0]
    client.force_login(municipal_user("101"))
    page = client.get(reverse("notifications:detail", kwargs={"pk": notice.pk})).content.decode()
    assert f'<a href="{url(plan, "municipal_detail")}">Åbn siden</a>' in page
    assert "Bolig" in page  # the shared areas


def test_the_municipality_updates_its_own_commitment_only(client, worker, plan):
    from samarbejde.organisations.models import Organisation

    municipality = Organisation.objects.get(code="101")
    plan = s.plan_share(plan, expected_version=1, shares={"housing": "legal"}, acting_user=worker).plan
    koebenhavn = municipal_user("101")
    plan = s.action_add(
        plan,
        expected_version=plan.version,
        category="housing",
        description="Kommunens",
        responsible_kind="municipal_department",
        responsible_organisation=municipality,
        due_on=timezone.localdate() + timedelta(days=9),
        acting_user=koebenhavn,
    ).plan
    plan = s.action_add(
        plan,
        expected_version=plan.version,
        category="housing",
        description="KRFO's",
        responsible_kind="client",
        due_on=timezone.localdate() + timedelta(days=9),
        acting_user=worker,
    ).plan
    own, krfo_action = PlanAction.objects.get(description="Kommunens"), PlanAction.objects.get(description="KRFO's")
    client.force_login(koebenhavn)
    data = {
        f"a{own.pk}-version": plan.version,
        f"a{own.pk}-status": "declined",
        f"a{own.pk}-due_on": own.due_on.isoformat(),
    }
    page = client.post(url(plan, "municipal_action_edit", action_pk=own.pk), data).content.decode()
    assert "Skriv en begrundelse, når indsatsen er afslået." in page
    data[f"a{own.pk}-decline_reason"] = "Borgeren har fået bolig selv"
    assert client.post(url(plan, "municipal_action_edit", action_pk=own.pk), data).status_code == 302
    own.refresh_from_db()
    assert own.status == "declined"
    other = {k.replace(str(own.pk), str(krfo_action.pk)): v for k, v in data.items()}
    assert client.post(url(plan, "municipal_action_edit", action_pk=krfo_action.pk), other).status_code == 404


def test_the_list_pages_by_keyset_newest_first_and_every_plan_is_reachable(client, worker, monkeypatch):
    """No cap that hides the older plans: "Næste side" goes on (a keyset page, issue 10), the same queries."""
    import re

    from samarbejde.action_plans import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [new_plan(worker) for _ in range(5)]
    client.force_login(worker)
    seen, path = [], reverse("action_plans:list")
    for _ in range(5):
        body = client.get(path).content.decode()
        seen += re.findall(r'href="/handleplaner/([0-9a-f-]{36})/"', body)
        following = re.search(r'href="(\?[^"]*efter=[^"]+)">Næste side', body)
        if not following:
            break
        path = reverse("action_plans:list") + following.group(1).replace("&amp;", "&")
    assert seen == [str(p.pk) for p in sorted(made, key=lambda p: (p.created_at, p.pk), reverse=True)]
