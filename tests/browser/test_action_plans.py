"""The handleplan end to end (issue 11, points 1-3): a KRFO case worker sees on the episode page whether a plan
is required and why, opens the plan, gets a Danish message for a bad action, writes the plan, meets a second
editor's conflict (input kept), shares housing with København; the København coordinator sees only the shared
area and adds the municipality's commitment; KRFO reads the version diff and the client's version in Danish
and English. Every page and state passes axe."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samarbejde.action_plans import services as plan_services
from samarbejde.action_plans.models import ActionPlan, PlanAction
from samarbejde.custody.models import CustodyType
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from tests.browser.helpers import check_page, login, logout, submit, visit


def test_the_handleplan_from_the_episode_to_the_municipality(page):
    worker = krfo_case_worker()
    person = make_person(acting_user=worker, home="101", first_name="Hanne", last_name="Handleplan")
    episode = admit(
        person,
        acting_user=worker,
        admitted_at=timezone.now() - timedelta(days=2),
        custody_type=CustodyType.SENTENCE,
        sentence_days=100,
    ).episode

    login(page, "krfo.sagsbehandler")
    visit(page, f"/klienter/forloeb/{episode.pk}/", "action-plan-episode")
    expect(page.locator("#plan-applicability")).to_contain_text("Handleplan ikke påkrævet")
    expect(page.locator("#plan-applicability")).to_contain_text("BEK nr. 421 af 9.4.2015 § 1")
    submit(page, page.get_by_role("button", name="Opret handleplan"))
    plan = ActionPlan.objects.get(episode=episode)
    expect(page.locator("h1")).to_contain_text("Handleplan for Hanne Handleplan")
    check_page(page, "action-plan-detail")

    # An action with "another body" but no name: a Danish message, nothing saved.
    page.get_by_label("Indsats", exact=True).fill("Ansøg om bolig")
    page.get_by_role("group", name="Ansvarlig").get_by_label("En anden navngiven aktør").check()
    page.get_by_label("Frist", exact=True).first.fill((timezone.localdate() + timedelta(days=10)).isoformat())
    submit(page, page.get_by_role("button", name="Tilføj indsats"))
    expect(page.locator("main")).to_contain_text("Skriv navnet på den aktør")
    assert not PlanAction.objects.exists()
    check_page(page, "action-plan-action-error")

    page.get_by_role("group", name="Ansvarlig").get_by_label("Klienten selv").check()
    submit(page, page.get_by_role("button", name="Tilføj indsats"))
    expect(page.get_by_role("status")).to_contain_text("Indsatsen er tilføjet.")

    # Two editors: another saves first; this save is refused with the conflict message and keeps the input.
    page.get_by_label("Bolig: mål").fill("Egen lejlighed")
    plan.refresh_from_db()
    plan_services.plan_update(plan, expected_version=plan.version, status="draft", acting_user=worker)
    submit(page, page.get_by_role("button", name="Gem handleplanen"))
    expect(page.locator("#error-summary")).to_contain_text("ændret af en anden")
    expect(page.get_by_label("Bolig: mål")).to_have_value("Egen lejlighed")
    check_page(page, "action-plan-conflict")
    page.get_by_role("form", name="Skriv handleplanen").get_by_label("Status", exact=True).select_option("written")
    submit(page, page.get_by_role("button", name="Gem handleplanen"))
    expect(page.locator("#plan-status")).to_contain_text("Udarbejdet")

    # Share housing with København on the legal basis.
    page.get_by_role("form", name="Del med kommunen").get_by_label(re.compile(r"^Bolig")).select_option("legal")
    submit(page, page.get_by_role("button", name="Gem delingen"))
    expect(page.get_by_role("status")).to_contain_text("Københavns Kommune")

    visit(page, f"/handleplaner/{plan.pk}/versioner/2/", "action-plan-version")
    visit(page, f"/handleplaner/{plan.pk}/klient/da/", "action-plan-client-da")
    expect(page.locator("h1")).to_contain_text("Din handleplan")
    visit(page, f"/handleplaner/{plan.pk}/klient/en/", "action-plan-client-en")
    expect(page.locator("h1")).to_contain_text("Your action plan")
    visit(page, "/handleplaner/", "action-plan-list-krfo")

    # København's coordinator: the shared area only, and its own commitment.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, "/handleplaner/", "action-plan-list-municipal")
    # The sharing notice in the inbox links to the shared plan.
    visit(page, "/indbakke/", "action-plan-inbox")
    row = page.get_by_role("row").filter(has_text="Hanne Handleplan").filter(has_text="Delt handleplan")
    submit(page, row.get_by_role("link", name="Delt handleplan"))
    check_page(page, "action-plan-notice")
    submit(page, page.get_by_role("link", name="Åbn siden"))
    expect(page.locator("main")).to_contain_text("Egen lejlighed")
    expect(page.locator("main")).not_to_contain_text("Fysisk og psykisk helbred")
    check_page(page, "action-plan-municipal")
    page.get_by_label("Indsats", exact=True).fill("Boligsocial anvisning")
    page.get_by_label("Ansvarlig enhed eller afdeling").select_option(index=1)
    page.get_by_label("Frist", exact=True).fill((timezone.localdate() + timedelta(days=20)).isoformat())
    submit(page, page.get_by_role("button", name="Tilføj indsats"))
    expect(page.get_by_role("status")).to_contain_text("Kommunens indsats er tilføjet.")
    expect(page.locator("main")).to_contain_text("Boligsocial anvisning")
    check_page(page, "action-plan-municipal-commitment")
