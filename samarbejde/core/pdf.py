"""One way to print a template as a PDF (WeasyPrint), for every app (process apps may not import documents).

Inline CSS in the template; the base URL is the project's static folder, so nothing is fetched over the network.
"""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    """The PDF of `template_name` rendered with `context`."""
    from weasyprint import HTML  # slow import; only printing needs it

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR / "samarbejde" / "static")).write_pdf()
