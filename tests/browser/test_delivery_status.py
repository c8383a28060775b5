"""Delivery status everywhere, in the browser: the municipality sees each delivery of a notice, KRFO sees a
summary per notice on the episode timeline, and the administrator finds the delivery dashboard from the start
page and filters it. Deliveries are put in various states directly (the outbox itself is tested elsewhere);
every page passes axe."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.delivery.models import Delivery
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.models import Organisation
from tests.browser.helpers import check_page, login, logout, submit, visit


def _deliveries_in_various_states():
    Organisation.objects.filter(code="101").update(email="ydelser@kk.example.dk")
    worker = krfo_case_worker()
    person = make_person(
        acting_user=worker,
        home="101",
        benefits=["kontanthjaelp"],
        pension="folkepension",
        first_name="Lise",
        last_name="Levering",
    )
    outcome = admit(person, acting_user=worker)
    notices = {(n.kind, n.recipient_organisation.code): n for n in outcome.notifications}
    benefits = notices[(NotificationKind.BENEFITS_DECISION_REQUEST, "101")]
    other_kbh = next(n for (kind, code), n in notices.items() if code == "101" and n != benefits)
    elsewhere = next(n for (kind, code), n in notices.items() if code != "101")
    now = timezone.now()
    Delivery.objects.filter(notification=benefits, channel="inbox").update(status="sent", attempts=1, sent_at=now)
    Delivery.objects.filter(notification=benefits, channel="email").update(
        status="failed", attempts=2, last_error="ConnectionRefusedError (111)", next_attempt_at=now + timedelta(hours=1)
    )
    Delivery.objects.filter(notification=other_kbh, channel="email").update(
        status="dead", attempts=8, last_error="SMTPRecipientsRefused (550)", next_attempt_at=None
    )
    Delivery.objects.filter(notification=elsewhere).update(status="pending", attempts=0, sent_at=None)
    return outcome, benefits


def _row(page, table, header: str):
    """The row whose row header is exactly `header` (a row's name also holds its cells' text)."""
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=header, exact=True))


def test_delivery_states_on_the_notice_the_timeline_and_the_dashboard(page):
    outcome, benefits = _deliveries_in_various_states()

    login(page, "kbh.sagsbehandler")
    visit(page, f"/indbakke/{benefits.pk}/", "delivery-notice")
    section = page.get_by_role("region", name="Levering", exact=True)
    expect(_row(page, section, "Indbakke")).to_contain_text("Sendt")
    email = _row(page, section, "E-mail")
    expect(email).to_contain_text("Fejlet (prøves igen)")
    expect(email).to_contain_text("Der prøves automatisk igen")
    expect(page.locator("main")).not_to_contain_text("ConnectionRefusedError")

    logout(page)
    login(page, "krfo.sagsbehandler")
    visit(page, f"/klienter/forloeb/{outcome.episode.pk}/", "delivery-episode")
    timeline = page.locator(".custody-timeline")
    expect(timeline).to_contain_text("Leveret: indbakke · e-mail fejlet, prøves igen")
    expect(timeline).to_contain_text("e-mail opgivet efter 8 forsøg")
    expect(timeline.locator(".badge-error")).to_have_text("Opgivet")

    logout(page)
    login(page, "admin")
    check_page(page, "delivery-start-admin")
    submit(page, page.get_by_role("link", name="Se leveringsoverblikket"))
    expect(page.locator("h1")).to_have_text("Levering af underretninger")
    check_page(page, "delivery-dashboard")
    per_channel = page.get_by_role("table", name="Antal leveringer pr. kanal og status")
    expect(_row(page, per_channel, "E-mail")).to_contain_text("1")
    listing = page.locator("#delivery-list")
    expect(listing).to_contain_text("SMTPRecipientsRefused (550)")
    expect(page.locator("main")).not_to_contain_text("Lise")

    page.get_by_label("Status").select_option(label="Opgivet")
    submit(page, page.get_by_role("button", name="Vis"))
    expect(page.locator("#list-heading")).to_contain_text("Leveringer med status »Opgivet«")
    expect(listing.get_by_role("row")).to_have_count(2)  # header + the dead one
    check_page(page, "delivery-dashboard-filtered")
    link = listing.get_by_role("link", name="Åbn i administrationen")
    expect(link).to_have_attribute("href", f"/admin/delivery/delivery/{Delivery.objects.get(status='dead').pk}/change/")

    visit(page, "/drift/leveringer/?kanal=brevdue", "delivery-dashboard-bad-filter")
    expect(page.locator("#error-summary")).to_contain_text("Vælg en kanal fra listen.")
