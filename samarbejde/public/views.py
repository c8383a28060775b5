"""The public information part: no login, no personal data."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from samarbejde.legal.selectors import acts_with_paragraphs
from samarbejde.notifications.rules import default_unit_kind
from samarbejde.organisations import selectors as org_selectors
from samarbejde.organisations.access import may_propose_change_for
from samarbejde.organisations.models import MUNICIPAL_FUNCTIONS
from samarbejde.public.content import DOCUMENTS, PROCEDURES


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


def documents(request):
    groups = [(category, list(items)) for category, items in groupby(DOCUMENTS, key=lambda d: d.category)]
    return render(request, "public/documents.html", {"groups": groups})


def accessibility(request):
    return render(request, "public/accessibility.html")


def privacy(request):
    return render(request, "public/privacy.html")
