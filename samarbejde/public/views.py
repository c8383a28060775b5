"""The public information part: no login, no personal data."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from samarbejde.documents.selectors import public_document_version, public_documents_by_category
from samarbejde.legal.selectors import acts_with_paragraphs
from samarbejde.notifications.rules import default_unit_kind
from samarbejde.organisations import selectors as org_selectors
from samarbejde.organisations.access import may_propose_change_for
from samarbejde.organisations.models import MUNICIPAL_FUNCTIONS
from samarbejde.public.content import PROCEDURES

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "public/home.html", {"procedures": PROCEDURES})


def municipality_list(request):
    query = request.GET.get("q", "")[:100]
    region = request.GET.get("region", "")[:10]
    district = request.GET.get("politikreds", "")[:10]
    results = list(org_selectors.municipality_search(query=query, region=region, police_district=district))
    context = {
        "results": results,
        "query": query,
        "region": region,
        "district": district,
        "regions": org_selectors.regions(),
        "districts": org_selectors.police_districts(),
        "total": org_selectors.municipalities().count(),
    }
    template = (
        "public/partials/municipality_results.html"
        if request.headers.get("HX-Request")
        else "public/municipality_list.html"
    )
    return render(request, template, context)


def municipality_detail(request, code: str):
    municipality = org_selectors.municipalities().filter(code=code).first()
    if municipality is None:
        raise Http404
    contacts = org_selectors.municipality_contacts(municipality)
    by_function = {c.function: [] for c in contacts}
    for contact in contacts:
        by_function[contact.function].append(contact)
    sections = [(function, by_function.get(function.value, [])) for function in MUNICIPAL_FUNCTIONS]
    return render(
        request,
        "public/municipality_detail.html",
        {
            "municipality": municipality,
            "sections": sections,
            "krfo_contacts": org_selectors.krfo_contacts_for(municipality),
            "routing": org_selectors.routing_table(municipality, default_unit_kind),
            "may_propose": may_propose_change_for(request.user, municipality),
        },
    )


def legal_basis(request):
    return render(request, "public/legal_basis.html", {"acts": acts_with_paragraphs()})


class Localised(str):
    """A text administrators wrote in Danish, in the request's language where the catalogue has it (the seeded
    titles); `lang` is the language it is in, so a Danish text on an English page is marked lang="da"."""

    lang: str

    def __new__(cls, text: str):
        translated = gettext(text) if text else text
        value = super().__new__(cls, translated)
        value.lang = (get_language() or "da") if translated != text else "da"
        return value


def documents(request):
    groups = []
    for category, items in public_documents_by_category():
        for document in items:
            document.display_title = Localised(document.title)
            document.display_description = Localised(document.description)
            document.display_availability = Localised(document.availability)
        groups.append((Localised(category), items))
    return render(request, "public/documents.html", {"groups": groups})


@require_safe
def document_file(request, slug: str, number: int | None = None):
    """A public document as a PDF, shown in the browser: the newest version, or version `number`."""
    version = public_document_version(slug, number)
    if version is None:
        raise Http404
    etag = f'"{version.sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        handle = version.file.open("rb")
    except OSError:
        logger.error("Stored file of public document %s version %s is missing", version.document_id, version.number)
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", filename=version.download_name)
    response["ETag"] = etag
    # The newest version changes with every upload: always ask again. A numbered version never changes.
    response["Cache-Control"] = "no-cache" if number is None else "public, max-age=3600"
    return response


def accessibility(request):
    return render(request, "public/accessibility.html")


def privacy(request):
    return render(request, "public/privacy.html")
