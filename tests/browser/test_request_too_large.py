"""A form body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): a Danish 413 page, not Django's bare 400
(issue 9, point 7). axe-checked like every page a user reaches."""

from playwright.sync_api import expect

from tests.browser.helpers import check_page, visit

# A form posted to the login page with 3 MB in one field; built with page.evaluate (the DevTools protocol,
# which the page's CSP does not govern), as a user's browser would post a far too long text.
POST_TOO_MUCH = """() => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/konto/log-ind/";
  const field = document.createElement("textarea");
  field.name = "username";
  field.value = "x".repeat(3 * 1024 * 1024);
  form.appendChild(field);
  document.body.appendChild(form);
  form.submit();
}"""


def test_a_form_too_large_gives_a_danish_413_page(page):
    visit(page, "/konto/log-ind/", "too-large-login")
    with page.expect_navigation() as navigation:
        page.evaluate(POST_TOO_MUCH)
    assert navigation.value.status == 413
    expect(page.locator("h1")).to_have_text("Indholdet fylder for meget")
    expect(page.locator("main")).to_contain_text("Intet er gemt")
    check_page(page, "too-large-413")
