"""A long unbroken word (a pasted link, a reference number without spaces) never makes a page wider than the
window: it wraps inside main content, table cells, definition lists and form help (WCAG 1.4.10 reflow).
Tables that must scroll keep their keyboard-reachable scroll region; the page around them does not scroll.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from samarbejde.organisations.models import (
    ChangeRequestStatus,
    Contact,
    ContactChangeRequest,
    ContactFunction,
    Organisation,
)
from tests.browser.helpers import check_page, login, visit

WORD = "Langtordudenmellemrum" * 143  # 3,003 characters, no space, no hyphen
SLACK = 2  # px: sub-pixel rounding


def page_width_fits(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def assert_no_sideways_scroll(page) -> None:
    scroll_width, inner_width = page_width_fits(page)
    assert scroll_width <= inner_width + SLACK, f"page is {scroll_width} px wide in a {inner_width} px window"


@pytest.fixture
def long_contact(django_db_blocker):
    with django_db_blocker.unblock():
        return Contact.objects.create(
            organisation=Organisation.objects.get(code="101"),
            function=ContactFunction.RELEASE,
            unit_name="Team" + WORD[:180],
            address=WORD[:290],
            opening_hours=WORD[:190],
            notes=WORD,
        )


@pytest.mark.parametrize("width", [1280, 320])
def test_a_long_word_in_a_contacts_notes_wraps_on_the_public_page(page, long_contact, width):
    page.set_viewport_size({"width": width, "height": 900})
    visit(page, "/kommuner/101/", f"long-word-municipality-101-{width}")
    expect(page.locator("main")).to_contain_text(WORD[:200])
    assert_no_sideways_scroll(page)
    # The notes' box is no wider than main.
    widths = page.evaluate(
        """() => {
            const dd = [...document.querySelectorAll('main dd')].find(el => el.textContent.length > 3000);
            return [dd.getBoundingClientRect().width, document.querySelector('main').getBoundingClientRect().width];
        }"""
    )
    assert widths[0] <= widths[1] + SLACK, widths


@pytest.mark.parametrize("width", [1280, 320])
def test_a_long_word_in_a_proposal_wraps_in_the_table_on_a_staff_page(page, long_contact, django_db_blocker, width):
    with django_db_blocker.unblock():
        proposer = get_user_model().objects.get(username="kbh.koordinator")
        request = ContactChangeRequest.objects.create(
            organisation=long_contact.organisation,
            contact=long_contact,
            function=long_contact.function,
            unit_name=long_contact.unit_name,
            notes="Ny" + WORD[:990],
            message=WORD[:1990],
            status=ChangeRequestStatus.PENDING,
            proposed_by=proposer,
            proposed_by_organisation=long_contact.organisation,
            before=long_contact.snapshot(),
        )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "admin")
    visit(page, f"/organisationer/aendringsforslag/{request.pk}/", f"long-word-change-request-{width}")
    assert_no_sideways_scroll(page)
    # The table still sits in its scroll region, which the keyboard reaches and which is no wider than main.
    region = page.get_by_role("region", name="Nuværende og foreslåede værdier (kan rulles vandret)")
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("el => el.getBoundingClientRect().width <= document.querySelector('main').clientWidth + 2")
    # In the region a cell wraps the long word at 48rem (480 px) instead of stretching the row; ordinary words
    # are not split to squeeze the table into a small window: it scrolls inside its region there.
    widest_cell = region.evaluate("el => Math.max(...[...el.querySelectorAll('td')].map(td => td.offsetWidth))")
    assert widest_cell <= 480 + SLACK, widest_cell
    if width == 320:
        assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table scrolls in its region"

    visit(page, "/organisationer/kommuner/101/historik/", f"long-word-history-{width}")
    assert_no_sideways_scroll(page)
    visit(page, "/organisationer/aendringsforslag/", f"long-word-change-request-list-{width}")
    assert_no_sideways_scroll(page)


def test_a_long_word_in_a_form_field_error_and_help_wraps(page, long_contact):
    """A proposal with a 3,000-character word in a field: the form with its errors and help texts still fits."""
    page.set_viewport_size({"width": 320, "height": 900})
    login(page, "kbh.koordinator")
    visit(page, "/kommuner/101/", "long-word-coordinator-101")
    page.get_by_role("link", name="Foreslå en ændring til kontakterne").click()
    page.locator(f"input[name=contact][value='{long_contact.pk}']").check()
    notes = page.locator("textarea[name=notes]")
    expect(notes).to_be_visible()
    page.locator("textarea[name=message]").fill(WORD)
    page.get_by_role("button", name="Send forslag").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check_page(page, "long-word-change-request-error")
    assert_no_sideways_scroll(page)
