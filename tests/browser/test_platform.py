"""The notice platform in the browser, as the users meet it; every page and state passes axe (WCAG 2.1 AA).

KRFO admits a person on førtidspension in København (in the test, through the services); the episode shows which
routing line chose each unit; KRFO corrects the home municipality to Aarhus on the episode page; København finds
the withdrawal in its inbox (without the person) and cannot open the notice any more; Aarhus answers its pension
notice; KRFO withdraws a notice sent by mistake; København's coordinator proposes another unit for a kind of
notice and the administrator sees the proposal."""

import re

from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification
from tests.browser.helpers import check_page, login, logout, submit, visit


def test_routing_correction_withdrawal_and_a_routing_proposal(page):
    worker = krfo_case_worker()
    person = make_person(
        acting_user=worker, home="101", pension="foertidspension", first_name="Rune", last_name="Ravnsholt"
    )
    outcome = admit(person, acting_user=worker)
    episode_url = f"/klienter/forloeb/{outcome.episode.pk}/"
    kbh_rent = next(n for n in outcome.notifications if n.rule == "admission.pension_rent")

    login(page, "krfo.sagsbehandler")
    visit(page, episode_url, "platform-episode")
    expect(page.locator("main")).to_contain_text("Københavns Kommunes fordeling")

    # Correct the home municipality: København's notices go, Aarhus gets its own.
    section = page.locator("section", has=page.get_by_role("heading", name="Ret bopælskommune, pension eller ydelser"))
    section.get_by_label("Bopælskommune").select_option(label="Aarhus Kommune")
    submit(page, section.get_by_role("button", name="Registrér rettelse"))
    expect(page.locator("#error-summary")).to_contain_text("Skriv, hvad der er rettet og hvorfor.")
    check_page(page, "platform-correction-error")
    section = page.locator("section", has=page.get_by_role("heading", name="Ret bopælskommune, pension eller ydelser"))
    section.get_by_label("Hvad er rettet, og hvorfor?").fill("Bopælskommunen var registreret forkert")
    submit(page, section.get_by_role("button", name="Registrér rettelse"))
    expect(page.get_by_role("status")).to_contain_text("Rettelsen er registreret.")
    expect(page.locator("main")).to_contain_text("bopælskommune fra Københavns Kommune til Aarhus Kommune")
    check_page(page, "platform-corrected")

    # København: the withdrawal in the inbox, without the person; the notice itself is gone.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, "/indbakke/", "platform-kbh-inbox-withdrawn")
    withdrawals = page.locator("table", has=page.get_by_role("columnheader", name="Trukket tilbage"))
    expect(withdrawals).to_contain_text("Bopælskommunen var registreret forkert")
    expect(page.locator("main")).not_to_contain_text("Ravnsholt")  # the person is not shown
    visit(page, f"/indbakke/{kbh_rent.pk}/", "platform-kbh-notice-gone", status=404)

    # Aarhus answers its rent decision.
    aarhus_rent = Notification.objects.get(
        thread_id=outcome.episode.pk, rule="admission.pension_rent", withdrawn_at=None
    )
    logout(page)
    login(page, "aarhus.koordinator")
    visit(page, f"/indbakke/{aarhus_rent.pk}/", "platform-aarhus-rent-notice")
    expect(page.locator("#sender-contact")).to_contain_text("Københavns Fængsler")
    group = page.get_by_role("group", name="Husleje af førtidspensionen")
    group.get_by_label("Afgørelse").select_option(label="Ingen hjælp til husleje")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.get_by_role("status")).to_contain_text("Svaret er sendt til Kriminalforsorgen.")
    check_page(page, "platform-aarhus-answered")

    # KRFO withdraws a notice sent by mistake (here Udbetaling Danmark's, still unanswered).
    udk = Notification.objects.get(thread_id=outcome.episode.pk, rule="admission.pension_udk")
    logout(page)
    login(page, "krfo.sagsbehandler")
    visit(page, f"/indbakke/{udk.pk}/", "platform-krfo-notice")
    submit(page, page.get_by_role("button", name="Træk tilbage"))
    expect(page.locator("#error-summary")).to_contain_text("Skriv en begrundelse")
    check_page(page, "platform-withdraw-error")
    page.get_by_label("Begrundelse").fill("Sendt ved en fejl")
    submit(page, page.get_by_role("button", name="Træk tilbage"))
    expect(page.get_by_role("status")).to_contain_text("Underretningen er trukket tilbage.")
    expect(page.locator("main")).to_contain_text("Begrundelse: Sendt ved en fejl")
    check_page(page, "platform-withdrawn")

    # A coordinator proposes another unit; the administrator sees it with before and after.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, "/kommuner/101/", "platform-kbh-routing")
    submit(page, page.get_by_role("link", name="Foreslå en ændring af fordelingen"))
    check_page(page, "platform-route-proposal")
    page.get_by_label("Underretninger om").select_option(label="Ydelser ved indsættelse")
    page.get_by_label(re.compile(r"^Når borgeren modtager")).select_option(label="Sygedagpenge")
    page.get_by_label("Modtagende enhed").select_option(label="Jobcenter København")
    submit(page, page.get_by_role("button", name="Send forslaget"))
    expect(page.get_by_role("status")).to_contain_text("Dit forslag er sendt til behandling")
    check_page(page, "platform-route-proposed")
    logout(page)
    login(page, "admin")
    submit(page, page.get_by_role("link", name=re.compile("Fordeling: Ydelser ved indsættelse")).first)
    expect(page.locator("main")).to_contain_text("Jobcenter København")
    check_page(page, "platform-route-review")
