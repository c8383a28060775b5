"""The municipality's inbox end to end: KRFO registers an admission (in the test, through the services); the
København case worker finds the notice in the inbox, opens it, makes a mistake, records the benefit decision
and sees the notice answered; KRFO sees the answer on the episode page. Every page and state passes axe."""

import re
from datetime import date, timedelta

from django.utils.formats import date_format
from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from tests.browser.helpers import check_page, login, logout, submit, visit


def test_municipality_answers_a_benefits_notice(page):
    worker = krfo_case_worker()
    person = make_person(
        acting_user=worker,
        home="101",
        benefits=["kontanthjaelp"],
        pension="folkepension",
        first_name="Ida",
        last_name="Indbakke",
    )
    outcome = admit(person, acting_user=worker)
    stop_date = date.today() + timedelta(days=3)

    login(page, "kbh.sagsbehandler")
    check_page(page, "inbox-start-kbh")
    expect(page.locator("main")).to_contain_text("Underretninger i indbakken")
    nav = page.get_by_role("navigation", name="Hovedmenu")
    submit(page, nav.get_by_role("link", name="Indbakke"))
    expect(page.locator("h1")).to_have_text("Indbakke – Københavns Kommune")
    check_page(page, "inbox-list")

    # Filter with htmx (the same form works without JavaScript): only the new notices.
    page.get_by_label("Status").select_option(label="Ny")
    expect(page).to_have_url(re.compile(r"status=new"))
    expect(page.locator("#results-heading")).to_contain_text("underretning")
    check_page(page, "inbox-list-filtered")

    row = page.get_by_role("row").filter(has_text="Ida Indbakke").filter(has_text="Anmodning om afgørelse om ydelser")
    expect(row).to_contain_text("Ny")
    submit(page, row.get_by_role("link", name="Anmodning om afgørelse om ydelser"))
    expect(page.locator("h1")).to_have_text("Anmodning om afgørelse om ydelser: Ida Indbakke")
    expect(page.locator("main")).to_contain_text("Cirkulæreskrivelse om indberetning")
    check_page(page, "inbox-notice")

    # "Standset pr. dato" without a date: a Danish error, nothing saved.
    group = page.get_by_role("group", name="Kontanthjælp")
    group.get_by_label("Afgørelse").select_option(label="Standset pr. dato")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.locator("#error-summary")).to_contain_text("Angiv datoen for afgørelsen om kontanthjælp.")
    check_page(page, "inbox-notice-answer-error")

    group = page.get_by_role("group", name="Kontanthjælp")
    group.get_by_label(re.compile(r"^Dato")).fill(stop_date.isoformat())
    page.get_by_label(re.compile(r"^Bemærkning")).fill("Husleje vurderes særskilt.")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.get_by_role("status")).to_contain_text("Svaret er sendt til Kriminalforsorgen.")
    expect(page.locator("#decisions")).to_contain_text(f"Kontanthjælp standset pr. {date_format(stop_date, 'j. F Y')}")
    expect(page.locator("main .badge").first).to_have_text("Besvaret")
    expect(page.get_by_role("button", name="Send svar")).to_have_count(0)
    check_page(page, "inbox-notice-answered")

    # KRFO sees the answer on the episode's timeline.
    logout(page)
    login(page, "krfo.sagsbehandler")
    visit(page, f"/klienter/forloeb/{outcome.episode.pk}/", "inbox-krfo-episode-answered")
    expect(page.locator("main")).to_contain_text("Svar fra Københavns Kommune")
