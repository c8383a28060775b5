"""KiF's § 808 pages: the investigations, open one (CPR POSTed), the investigation with its requests and answers,
send a request, close, and the court report PDF.

Thin views: parse, check access (pre_sentence.access), call a service, render. The municipality answers in its
inbox (notifications), never here. Every page that shows a person writes an audit event naming the person.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.forms import add_service_errors
from samarbejde.core.pagination import keyset_page
from samarbejde.core.pdf import render_pdf
from samarbejde.organisations import selectors as org_selectors
from samarbejde.organisations.access import require_capability
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import KRFO_KINDS, Cap
from samarbejde.people.fields import Context, field_view
from samarbejde.people.selectors import person_search_by_cpr
from samarbejde.pre_sentence import selectors, services
from samarbejde.pre_sentence.access import access_investigation_by_id, works_on_investigations
from samarbejde.pre_sentence.forms import CloseForm, InvestigationForm, RequestForm
from samarbejde.pre_sentence.models import InvestigationStatus

PAGE_SIZE = 50


def _require_kif(request):
    if not works_on_investigations(request.user):
        raise PermissionDenied


@require_capability(Cap.PERSON_VIEW_ALL)
def investigation_list(request):
    """The KiF office's investigations, the next hearing first (a keyset page; showing it is an audited read)."""
    _require_kif(request)
    status = request.GET.get("status", "")
    page = keyset_page(
        selectors.investigations_for_list(request.user, status=status),
        selectors.LIST_ORDERING,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
        per_page=PAGE_SIZE,
    )
    audit_read_many(
        "pre_sentence.list",
        acting_user=request.user,
        persons=[row.person for row in page],
        purpose="Personundersøgelser (§ 808)",
    )
    return render(
        request,
        "pre_sentence/investigation_list.html",
        {
            "page": page,
            "status": status if status in InvestigationStatus.values else "",
            "statuses": InvestigationStatus.choices,
            "fields": field_view(request.user, Context.KRFO_CASE),
        },
    )


@require_capability(Cap.PERSON_REGISTER)
@require_http_methods(["GET", "POST"])
def investigation_create(request):
    """One POST with the CPR (never in a URL): the known person is found, an unknown one registered."""
    _require_kif(request)
    form = InvestigationForm(request.POST or None, municipalities=org_selectors.municipality_choices())
    if request.method == "POST" and form.is_valid():
        person = person_search_by_cpr(
            request.user, form.cleaned_data["cpr"], purpose="Personundersøgelse (§ 808)", action="register"
        )
        code = form.cleaned_data.get("home_municipality")
        municipality = org_selectors.municipalities().filter(code=code).first() if code else None
        try:
            investigation = services.investigation_open(
                person=person,
                cpr=form.cleaned_data["cpr"],
                first_name=form.cleaned_data.get("first_name", ""),
                last_name=form.cleaned_data.get("last_name", ""),
                home_municipality=municipality,
                court=form.court_name(),
                hearing_date=form.cleaned_data.get("hearing_date"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Personundersøgelsen er oprettet. Send nu en anmodning om oplysninger.")
            return redirect("pre_sentence:investigation_detail", pk=investigation.pk)
    return render(request, "pre_sentence/investigation_create.html", {"form": form})


def _other_bodies(home):
    qs = Organisation.objects.filter(is_active=True).exclude(kind__in=KRFO_KINDS).order_by("kind", "name")
    return [o for o in qs if home is None or o.pk != home.pk]


def _render_detail(request, investigation, *, request_form=None, close_form=None, status=200):
    home = investigation.person.home_municipality
    requests = selectors.requests_with_notices(request.user, investigation)
    audit_record(
        "pre_sentence.read",
        acting_user=request.user,
        person=investigation.person,
        obj=investigation,
        purpose="Personundersøgelse (§ 808)",
    )
    if investigation.is_open:
        request_form = request_form or RequestForm(
            home=home,
            others=_other_bodies(home),
            initial={
                "to_home": home is not None,
                "basis": next(iter(services.LEGAL_BASES)),
                "answer_due": services.default_answer_due(investigation.hearing_date),
            },
        )
        close_form = close_form or CloseForm()
    return render(
        request,
        "pre_sentence/investigation_detail.html",
        {
            "investigation": investigation,
            "person": investigation.person,
            "person_cpr": field_view(request.user, Context.KRFO_CASE).cpr(investigation.person),
            "requests": requests,
            "request_form": request_form,
            "close_form": close_form,
        },
        status=status,
    )


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def investigation_detail(request, pk):
    investigation = access_investigation_by_id(request.user, pk)
    return _render_detail(request, investigation)


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def request_send(request, pk):
    investigation = access_investigation_by_id(request.user, pk)
    home = investigation.person.home_municipality
    form = RequestForm(request.POST, home=home, others=_other_bodies(home))
    if form.is_valid():
        try:
            outcome = services.information_request_send(
                investigation,
                recipients=form.recipients(),
                questions=form.cleaned_data.get("questions", ""),
                basis=form.cleaned_data.get("basis", ""),
                answer_due=form.cleaned_data.get("answer_due"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            names = ", ".join(r.recipient.display_name for r in outcome.requests)
            messages.success(request, f"Anmodningen om oplysninger er sendt til {names}.")
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect("pre_sentence:investigation_detail", pk=investigation.pk)
    return _render_detail(request, investigation, request_form=form, status=400)


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def investigation_close(request, pk):
    investigation = access_investigation_by_id(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.investigation_close(investigation, note=form.cleaned_data["note"], acting_user=request.user)
        except ValidationError as exc:
            if not investigation.is_open:
                messages.error(request, exc.messages[0])
                return redirect("pre_sentence:investigation_detail", pk=investigation.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, "Personundersøgelsen er afsluttet. Ubesvarede anmodninger er trukket tilbage.")
            return redirect("pre_sentence:investigation_detail", pk=investigation.pk)
    return _render_detail(request, investigation, close_form=form, status=400)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def investigation_report(request, pk):
    """The report for the court (PDF): the investigation, every request and its answer with the files listed."""
    investigation = access_investigation_by_id(request.user, pk)
    requests = selectors.requests_with_notices(request.user, investigation)
    audit_record(
        "pre_sentence.report",
        acting_user=request.user,
        person=investigation.person,
        obj=investigation,
        purpose="Erklæring til retten (§ 808), PDF",
    )
    pdf = render_pdf(
        "pre_sentence/report_pdf.html",
        {
            "investigation": investigation,
            "person": investigation.person,
            "person_cpr": field_view(request.user, Context.KRFO_CASE).cpr(investigation.person),
            "requests": requests,
            "printed_at": timezone.localtime(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="personundersoegelse.pdf"'
    return response
