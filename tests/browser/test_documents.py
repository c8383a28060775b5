"""Print the Digital Post form as a KRFO case worker (issue 3, point 7), axe-checked on every page."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit
from samarbejde.organisations.models import Organisation
from samarbejde.people.services import person_register
from tests.browser.helpers import check_page, login, submit, visit


def test_prepare_print_and_track_the_digital_post_form(page):
    krfo = get_user_model().objects.get(username="krfo.sagsbehandler")
    from samarbejde.organisations.selectors import memberships_of

    krfo.active_membership = memberships_of(krfo)[0]
    person = person_register(
        cpr="050565-1234",
        first_name="Bent",
        last_name="Brandt",
        home_municipality=Organisation.objects.get(code="101"),
        acting_user=krfo,
    )
    admit(person, acting_user=krfo)  # Københavns Fængsler holds the person (ADR 0008)
    login(page, "krfo.sagsbehandler")
    visit(page, f"/blanketter/person/{person.pk}/", "forms-for-person-empty")
    submit(page, page.get_by_role("link", name="Udfyld en blanket"))
    check_page(page, "form-create")
    submit(page, page.get_by_role("button", name="Udfyld blanket"))
    expect(page.locator("#error-summary")).to_contain_text("Vælg en blanket.")
    check_page(page, "form-create-error")
    page.get_by_label("Ansøgning om fritagelse for Digital Post").check()
    page.get_by_label("Begrundelse").fill("Ingen adgang til digital postkasse under opholdet.")
    submit(page, page.get_by_role("button", name="Udfyld blanket"))
    expect(page.locator("h1")).to_have_text("Ansøgning om fritagelse for Digital Post")
    check_page(page, "form-detail")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Udskriv blanketten (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("blanket-digital_post_exemption-")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    page.get_by_label("Ny status").select_option(label="Underskrevet af den indsatte")
    submit(page, page.get_by_role("button", name="Gem status"))
    expect(page.locator("main")).to_contain_text("Status er opdateret.")
    check_page(page, "form-detail-signed")
