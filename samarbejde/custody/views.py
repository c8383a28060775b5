"""KRFO's custody pages: register admission, the episode page with its actions, current inmates, open notices.

Thin views: parse, check access (custody.access, capabilities), call a service, render. Bad input gives the
form's or the service's Danish message, never a 500; the services are atomic, so nothing is half-saved.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.forms import add_service_errors
from samarbejde.core.pagination import keyset_page
from samarbejde.custody import selectors, services
from samarbejde.custody.access import access_episode_by_id, may_change_at
from samarbejde.custody.forms import (
    AdmissionForm,
    ConvertForm,
    CoordinationForm,
    CorrectionForm,
    CprLookupForm,
    InstitutionFilterForm,
    NeedAccessForm,
    ReleaseDateForm,
    ReleaseForm,
    TransferForm,
    now_local,
)
from samarbejde.custody.models import CustodyType
from samarbejde.organisations import selectors as org_selectors
from samarbejde.organisations.access import require_capability, user_can
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people import link_rules
from samarbejde.people.fields import Context, field_view
from samarbejde.people.selectors import access_grants_of, person_search_by_cpr
from samarbejde.people.services import person_access_grant

PAGE_SIZE = 50
UNSETTLED_ORDERING = selectors.UNSETTLED_ORDERING
LOOKUP_AUTO_ID = "lookup_%s"


def _report_outcome(request, outcome, done: str) -> None:
    """One success message listing the notices sent (recipient, kind, legal basis) and withdrawn; one warning
    per warning."""
    notices = outcome.notifications
    if notices:
        lines = "; ".join(f"{_recipient(n)}: {n.get_kind_display()} ({n.legal_basis})" for n in notices)
        count = "1 underretning er sendt" if len(notices) == 1 else f"{len(notices)} underretninger er sendt"
        messages.success(request, f"{done} {count}: {lines}.")
    else:
        messages.success(request, f"{done} Der er ikke sendt underretninger.")
    withdrawn = getattr(outcome, "withdrawn", [])
    if withdrawn:
        lines = "; ".join(f"{_recipient(n)}: {n.get_kind_display()}" for n in withdrawn)
        messages.info(request, f"Trukket tilbage, og modtageren har fået besked: {lines}.")
    for warning in outcome.warnings:
        messages.warning(request, warning)


def _recipient(notice) -> str:
    department = notice.recipient_department
    name = notice.recipient_organisation.display_name
    return f"{name}, {department.name}" if department else name


def _own_institution(request) -> Organisation | None:
    organisation = request.membership.organisation
    return organisation if organisation.kind == OrgKind.KRFO_INSTITUTION and organisation.is_active else None


# --- register admission ----------------------------------------------------------------------------------


LOOKUP_STEP = "find"


@require_capability(Cap.PERSON_REGISTER)
@require_http_methods(["GET", "POST"])
def admission_create(request):
    """CPR first, POSTed (`step=find`, htmx or not): person found -> name, situation, prefilled form; else the same
    form also creates the person. The look-up is never a GET and its result is rendered at this same address, so
    the CPR number is in no URL (access log, browser history, Referer). A POST without `step` registers person +
    admission in one transaction."""
    # An institution registers the admissions into itself (ADR 0008); KiF and the central units do not.
    if _own_institution(request) is None:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    is_lookup = data is not None and data.get("step") == LOOKUP_STEP
    lookup = CprLookupForm(data, auto_id=LOOKUP_AUTO_ID)
    person = open_episode = form = None
    if lookup.is_bound and lookup.is_valid():
        cpr = lookup.cleaned_data["cpr"]
        person = person_search_by_cpr(request.user, cpr, purpose="Registrering af indsættelse", action="register")
        open_episode = selectors.episode_open_for_person(request.user, person) if person else None
        # An institution registers its own admissions (ADR 0008): the choice is the user's own institution.
        institutions = [_own_institution(request)]
        form_kwargs = {
            "person": person,
            "municipalities": org_selectors.municipality_choices(),
            "institutions": institutions,
        }
        if not is_lookup:
            form = AdmissionForm(request.POST, **form_kwargs)
            if form.is_valid():
                municipality_by_code = {m.code: m for m in org_selectors.municipalities()}.get
                try:
                    outcome = services.admission_register(
                        person=person, **form.service_kwargs(municipality_by_code), acting_user=request.user
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    _report_outcome(request, outcome, "Indsættelsen er registreret.")
                    return redirect("custody:episode_detail", pk=outcome.episode.pk)
        else:
            form = AdmissionForm(
                initial=AdmissionForm.initial_for(cpr, person, _own_institution(request)), **form_kwargs
            )
    context = {
        "lookup": lookup,
        "person": person,
        "person_cpr": field_view(request.user, Context.KRFO_CASE).cpr(person) if person else "",
        "open_episode": open_episode,
        "form": form,
    }
    if is_lookup and request.headers.get("HX-Request"):
        return render(request, "custody/partials/admission_details.html", context)
    return render(request, "custody/admission_create.html", context)


# --- the episode page and its actions ------------------------------------------------------------------


def _action_forms(episode, institutions, **bound) -> dict:
    """The episode's action forms (unbound with sensible defaults unless a bound one is given)."""
    if not episode.is_open:
        return {}
    forms = {
        "convert_form": ConvertForm(prefix="convert", initial={"occurred_at": now_local()})
        if episode.custody_type == CustodyType.REMAND
        else None,
        "transfer_form": TransferForm(
            prefix="transfer",
            initial={"occurred_at": now_local()},
            institutions=institutions,
            current=episode.institution,
        ),
        "release_date_form": ReleaseDateForm(
            prefix="date",
            initial={"expected_release": episode.expected_release_date, "certainty": episode.release_certainty},
        ),
        "release_form": ReleaseForm(prefix="release", initial={"released_at": now_local()}),
        "coordination_form": CoordinationForm(prefix="coordination", initial=CoordinationForm.initial_for(episode)),
        "correction_form": CorrectionForm(
            prefix="correct",
            initial=CorrectionForm.initial_for(episode.person),
            municipalities=org_selectors.municipality_choices(),
        ),
    }
    forms.update(bound)
    return forms


def _render_episode(request, pk, *, status: int = 200, **bound):
    episode = selectors.episode_page(request.user, pk)
    audit_record(
        "custody.view", acting_user=request.user, person=episode.person, obj=episode, purpose="Visning af forløb"
    )
    # Only the institution that holds the person registers its events (ADR 0008): others see, not act.
    may_change = may_change_at(request.user, episode.institution)
    fields = field_view(request.user, Context.KRFO_CASE)
    context = {
        "episode": episode,
        "person": episode.person,
        "fields": fields,
        "person_cpr": fields.cpr(episode.person),
        "may_change": may_change and episode.is_open,
    }
    if context["may_change"]:
        context.update(_action_forms(episode, list(selectors.krfo_institutions()), **bound))
    else:  # e.g. released meanwhile: the forms are gone, so their errors become messages
        for form in bound.values():
            for error in form.non_field_errors():
                messages.error(request, error)
    return render(request, "custody/episode_detail.html", context, status=status)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def episode_detail(request, pk):
    return _render_episode(request, pk)


def _episode_action(request, episode, form, context_name: str, call, done: str):
    """Shared POST handling: valid form -> service -> message + redirect; else the page with the form's errors."""
    if form.is_valid():
        try:
            outcome = call(episode, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _report_outcome(request, outcome, done)
            return redirect("custody:episode_detail", pk=outcome.episode.pk)
    return _render_episode(request, episode.pk, **{context_name: form})


def _changeable(request, pk):
    """404 unless the user may change this episode (missing, forbidden and malformed alike)."""
    return access_episode_by_id(request.user, pk, action="change")


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_convert(request, pk):
    episode = _changeable(request, pk)
    form = ConvertForm(request.POST, prefix="convert")
    return _episode_action(
        request,
        episode,
        form,
        "convert_form",
        lambda episode, f: services.episode_convert_to_sentence(
            episode, occurred_at=f.cleaned_data["occurred_at"], acting_user=request.user
        ),
        "Varetægtsfængslingen er ændret til afsoning.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_transfer(request, pk):
    episode = _changeable(request, pk)
    form = TransferForm(
        request.POST, prefix="transfer", institutions=list(selectors.krfo_institutions()), current=episode.institution
    )
    return _episode_action(
        request,
        episode,
        form,
        "transfer_form",
        lambda episode, f: services.episode_transfer(
            episode,
            to_institution=f.chosen_institution,
            occurred_at=f.cleaned_data["occurred_at"],
            acting_user=request.user,
        ),
        "Overførslen er registreret.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_release_date(request, pk):
    episode = _changeable(request, pk)
    form = ReleaseDateForm(request.POST, prefix="date")
    return _episode_action(
        request,
        episode,
        form,
        "release_date_form",
        lambda episode, f: services.episode_change_release_date(
            episode,
            expected_release=f.cleaned_data.get("expected_release"),
            certainty=f.cleaned_data["certainty"],
            acting_user=request.user,
        ),
        "Den forventede løsladelsesdato er ændret.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_release(request, pk):
    episode = _changeable(request, pk)
    form = ReleaseForm(request.POST, prefix="release")
    return _episode_action(
        request,
        episode,
        form,
        "release_form",
        lambda episode, f: services.episode_release(
            episode,
            released_at=f.cleaned_data["released_at"],
            release_kind=f.cleaned_data["release_kind"],
            address_after=f.cleaned_data.get("address_after", ""),
            acting_user=request.user,
        ),
        "Løsladelsen er registreret.",
    )


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_correct(request, pk):
    """Correct the person's home municipality, pension or benefits; the notices follow (custody.services)."""
    episode = _changeable(request, pk)
    form = CorrectionForm(request.POST, prefix="correct", municipalities=org_selectors.municipality_choices())
    municipality_by_code = {m.code: m for m in org_selectors.municipalities()}.get
    return _episode_action(
        request,
        episode,
        form,
        "correction_form",
        lambda episode, f: services.episode_correct_person(
            episode, **f.service_kwargs(municipality_by_code), acting_user=request.user
        ),
        "Rettelsen er registreret.",
    )


MSG_COORDINATION_DONE = "Beslutningen om koordinering af handleplanen er registreret."
MSG_ALREADY_REQUESTED = (
    "Handleplanen koordineres allerede med kommunen. Anmodningen om sagsakter blev sendt til %(recipient)s "
    "den %(date)s. Der er ikke sendt en ny anmodning."
)
MSG_ALREADY_DECIDED_NO = (
    "Beslutningen er allerede registreret: handleplanen koordineres ikke med kommunen. Intet er ændret."
)


@require_capability(Cap.PERSON_REGISTER, hide=True)
@require_POST
def episode_coordination(request, pk):
    """KRFO's decision whether to coordinate the handleplan; "Ja" asks the municipality for case files once."""
    episode = _changeable(request, pk)
    form = CoordinationForm(request.POST, prefix="coordination")
    if form.is_valid():
        try:
            outcome = services.episode_decide_coordination(
                episode,
                coordinate=form.coordinate_value,
                reason=form.cleaned_data.get("reason", ""),
                override_reason=form.cleaned_data.get("override_reason", ""),  # consent (a manager only)
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not outcome.unchanged:
                _report_outcome(request, outcome, MSG_COORDINATION_DONE)
            elif outcome.case_files_request is not None:
                sent = outcome.case_files_request
                messages.info(
                    request,
                    MSG_ALREADY_REQUESTED
                    % {"recipient": _recipient(sent), "date": date_format(localtime(sent.created_at), "DATE_FORMAT")},
                )
            else:
                messages.info(request, MSG_ALREADY_DECIDED_NO)
            return redirect("custody:episode_detail", pk=outcome.episode.pk)
    return _render_episode(request, episode.pk, coordination_form=form)


# --- lists ------------------------------------------------------------------------------------------------


def _institution_filter(request):
    institutions = list(selectors.krfo_institutions())
    form = InstitutionFilterForm(
        request.GET if "institution" in request.GET else None,
        institutions=institutions,
        initial={"institution": getattr(_own_institution(request), "code", "")},
    )
    return form, form.chosen(_own_institution(request))


def _audited_page(request, queryset, ordering, *, action: str, purpose: str):
    """One keyset page (no COUNT, no OFFSET: the cost is the page's, ADR 0013) of a list of rows that each name
    a person (`row.person`); showing it is an audited read."""
    page = keyset_page(
        queryset,
        ordering,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
        per_page=PAGE_SIZE,
    )
    audit_read_many(action, acting_user=request.user, persons=[row.person for row in page], purpose=purpose)
    return page


@require_capability(Cap.PERSON_VIEW_ALL)
def inmate_list(request):
    """The institution's current inmates (the user's own institution unless another is chosen)."""
    filter_form, institution = _institution_filter(request)
    page = None
    if institution is not None:
        page = _audited_page(
            request,
            selectors.episodes_current_at(request.user, institution),
            selectors.INMATES_ORDERING,
            action="custody.list",
            purpose=f"Indsatte i {institution.display_name}",
        )
    return render(
        request,
        "custody/inmate_list.html",
        {
            "filter_form": filter_form,
            "institution": institution,
            "page": page,
            "fields": field_view(request.user, Context.KRFO_CASE),
            "may_register": user_can(request.user, Cap.PERSON_REGISTER) and _own_institution(request) is not None,
            "may_request_access": user_can(request.user, Cap.NEED_ACCESS),
        },
    )


@require_capability(Cap.PERSON_VIEW_ALL)
def unsettled_list(request):
    """Notices of the institution's episodes not yet answered or acknowledged, overdue first. A keyset page
    (no COUNT, no OFFSET) over the open notices' index: the cost is the page's (ADR 0013)."""
    filter_form, institution = _institution_filter(request)
    page = None
    if institution is not None:
        page = _audited_page(
            request,
            selectors.notifications_unsettled_at(request.user, institution),
            UNSETTLED_ORDERING,
            action="custody.notices_list",
            purpose=f"Ubesvarede underretninger, {institution.display_name}",
        )
    return render(
        request,
        "custody/unsettled_list.html",
        {"filter_form": filter_form, "institution": institution, "page": page},
    )


# --- need access (ADR 0008) -------------------------------------------------------------------------------

MSG_NEED_ACCESS_NO_PERSON = "Der findes ingen person med dette CPR-nummer i Samarbejde."


@require_capability(Cap.NEED_ACCESS)
@require_http_methods(["GET", "POST"])
def need_access(request):
    """A client outside the user's unit: CPR, a reason and a length (POST; the CPR never goes in a URL). The
    grant is the user's alone, audited with the reason and listed for the data-protection officer; the page
    then opens the client's latest episode. Lists the user's own live grants."""
    hours_allowed = link_rules.need_access_hours_allowed()
    form = NeedAccessForm(request.POST if request.method == "POST" else None, hours_allowed=hours_allowed)
    if request.method == "POST" and form.is_valid():
        person = person_search_by_cpr(
            request.user, form.cleaned_data["cpr"], purpose="Begrundet adgang", action="need_access"
        )
        if person is None:
            form.add_error("cpr", MSG_NEED_ACCESS_NO_PERSON)
        else:
            try:
                grant = person_access_grant(
                    person,
                    justification=form.cleaned_data["justification"],
                    hours=form.cleaned_data["hours"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                until = date_format(localtime(grant.expires_at), "DATETIME_FORMAT")
                messages.success(request, f"Du har adgang til klienten til {until}. Adgangen er logget.")
                episode = selectors.episode_latest_for_person(request.user, person)
                if episode is not None:
                    return redirect("custody:episode_detail", pk=episode.pk)
                messages.info(request, "Klienten har ikke noget forløb i Samarbejde endnu.")
                return redirect("custody:need_access")
    grants = list(access_grants_of(request.user))
    latest = selectors.episodes_latest_for_persons(request.user, [g.person for g in grants])
    if grants:
        audit_read_many(
            "people.need_access_list",
            acting_user=request.user,
            persons=[g.person for g in grants],
            purpose="Egne begrundede adgange",
        )
    fields = field_view(request.user, Context.KRFO_CASE)
    for grant in grants:
        grant.cpr_shown = fields.cpr(grant.person)
        grant.episode = latest.get(grant.person_id)
    return render(
        request,
        "custody/need_access.html",
        {"form": form, "grants": grants, "max_hours": max(hours_allowed)},
        status=400 if request.method == "POST" and form.errors else 200,
    )
