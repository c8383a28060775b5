"""The audit trail for administrators: search, and the data-subject access report (HTML, CSV, PDF).

Thin views: parse, check access, read through selectors, record the read in the audit trail, render.
Reading the trail is itself a read of personal data, so every search and every report is audited.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from samarbejde.audit import reports, selectors
from samarbejde.audit.access import access_person_for_subject_report, person_by_cpr_for_search
from samarbejde.audit.forms import AuditSearchForm
from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.middleware import cpr_in_query_refused
from samarbejde.core.pagination import keyset_page
from samarbejde.organisations.access import require_capability, user_can
from samarbejde.organisations.roles import Cap
from samarbejde.people.fields import Context, field_view
from samarbejde.people.selectors import access_grants

PAGE_SIZE = 50
PURPOSE_SEARCH = "Søgning i revisionsspor"
PURPOSE_REPORT = "Indsigtsrapport til den registrerede"
REPORT_FORMATS = ("html", "csv", "pdf")
PURPOSE_GRANTS = "Tilsyn med begrundede adgange"


def _cursors(request) -> dict[str, str]:
    """The keyset cursors of a list page (core.pagination): `?efter=` or `?foer=`; a bad one gives page one."""
    return {"after": request.GET.get("efter", ""), "before": request.GET.get("foer", "")}


def _search_get_data(request):
    """The GET parameters as form data; `person=<id>` (set by the POST redirect) stands in for the CPR. A CPR
    given in the URL is never used (the caller refuses a non-empty one)."""
    data = request.GET.copy()
    data.pop("cpr", None)
    person = None
    if data.get("person"):
        person = access_person_for_subject_report(request.user, data["person"])
        data["cpr"] = person.cpr
    return data, person


@require_http_methods(["GET", "POST"])
@require_capability(Cap.AUDIT_SEARCH)
def search(request):
    """Search by person (CPR), user, organisation, action and period. Results only after a search.

    The form is POSTed and redirected (post/redirect/get) to a URL that names the person by id, never
    by CPR number; results and pagination are then plain GETs. A GET with `?cpr=...` is refused (400).
    """
    if request.method == "POST":
        form = AuditSearchForm(request.POST)
        if form.is_valid():
            cpr = form.cleaned_data["cpr"]
            person = person_by_cpr_for_search(request.user, cpr) if cpr else None
            return redirect(f"{reverse('audit:search')}?{urlencode(form.query_without_cpr(person))}")
        context = {"form": form, "searched": True, "page": None, "events": [], "person": None, "cpr_searched": False}
        context["may_report"] = user_can(request.user, Cap.AUDIT_SUBJECT_REPORT)
        context["fields"] = field_view(request.user, Context.AUDIT)
        return render(request, "audit/search.html", context)
    if request.GET.get("cpr", "").strip():
        return cpr_in_query_refused(request)  # a CPR look-up is a POST; never taken from a URL
    data, known_person = _search_get_data(request)
    unknown_cpr = "cpr_ukendt" in data
    searched = unknown_cpr or "alle" in data or any(name in data for name in (*AuditSearchForm.base_fields, "person"))
    form = AuditSearchForm(data if searched else None)
    context = {"form": form, "searched": searched, "page": None, "events": [], "person": None, "cpr_searched": False}
    if searched and form.is_valid():
        cpr = form.cleaned_data["cpr"]
        person = known_person or (person_by_cpr_for_search(request.user, cpr) if cpr else None)
        if unknown_cpr:
            cpr = "unknown"
        queryset, parts = selectors.audit_search(request.user, person=person, cpr_searched=bool(cpr), **form.filters())
        page = selectors.event_page(queryset, parts, per_page=PAGE_SIZE, **_cursors(request))
        events = page.object_list
        audit_record(
            "audit.search",
            acting_user=request.user,
            person=person,
            purpose=PURPOSE_SEARCH,
            details={
                "filters": form.used_filter_names(),
                "first_page": not page.has_previous,
                "results": page.count,
                "results_capped": page.count_is_capped,
            },
        )
        context.update(page=page, events=events, person=person, cpr_searched=bool(cpr))
    context["may_report"] = user_can(request.user, Cap.AUDIT_SUBJECT_REPORT)
    context["fields"] = field_view(request.user, Context.AUDIT)
    return render(request, "audit/search.html", context)


@require_GET
@require_capability(Cap.AUDIT_SUBJECT_REPORT)
def subject_report(request, person_id):
    """Every audit event about one person: a page, or the whole report as `?format=csv` / `?format=pdf`."""
    person = access_person_for_subject_report(request.user, person_id)
    report_format = request.GET.get("format", "html")
    if report_format not in REPORT_FORMATS:
        report_format = "html"
    queryset = selectors.audit_events_about(request.user, person)
    generated_at = timezone.now()
    page = None
    if report_format == "html":
        page = selectors.event_page(queryset, per_page=PAGE_SIZE, **_cursors(request))
        events = page.object_list
        total = page.count
    else:
        events = selectors.with_labels(queryset)
        total = len(events)
    audit_record(
        "audit.subject_report",
        acting_user=request.user,
        person=person,
        obj=person,
        purpose=PURPOSE_REPORT,
        details={"format": report_format, "events": total},
    )
    # The data subject's own copy (ADR 0011): the report's header names them by full CPR number.
    fields = field_view(request.user, Context.SUBJECT_REPORT)
    if report_format == "csv":
        return reports.subject_report_csv(person, events, generated_at=generated_at)
    if report_format == "pdf":
        return reports.subject_report_pdf(person, events, generated_at=generated_at, fields=fields)
    return render(
        request,
        "audit/subject_report.html",
        {
            "person": person,
            "fields": fields,
            "page": page,
            "events": events,
            "title": reports.REPORT_TITLE,
            "generated_at": generated_at,
        },
    )


@require_GET
@require_capability(Cap.AUDIT_SEARCH)
def access_grant_list(request):
    """Every "need access" grant for the data-protection officer: who, for whom, why, how long (ADR 0008).
    The persons shown are audited as read."""
    page = keyset_page(access_grants(request.user), ["-opened_at", "-id"], per_page=PAGE_SIZE, **_cursors(request))
    grants = list(page.object_list)
    if grants:
        audit_read_many(
            "audit.access_grants", acting_user=request.user, persons=[g.person for g in grants], purpose=PURPOSE_GRANTS
        )
    return render(
        request,
        "audit/access_grants.html",
        {"page": page, "grants": grants, "fields": field_view(request.user, Context.AUDIT)},
    )
