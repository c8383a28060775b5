"""The directory change-request flow: propose, list, review, and the public history of a municipality.

Thin views: parse, check access (access.py), call a service, render. Bad input gives a Danish form
error or message, never a 500; the services are atomic, so nothing is half-saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from samarbejde.core.forms import add_service_errors
from samarbejde.core.pagination import CappedPaginator
from samarbejde.organisations import selectors, services
from samarbejde.organisations.access import (
    access_change_request_by_id,
    access_municipality_for_proposal,
    may_propose_change_for,
    may_use_change_requests,
    require_capability,
    user_can,
)
from samarbejde.organisations.forms import (
    NEW_CONTACT,
    ChangeRequestFilterForm,
    ChangeRequestForm,
    ReviewForm,
    RouteChangeForm,
)
from samarbejde.organisations.models import ChangeRequestStatus, ContactChangeRequest
from samarbejde.organisations.roles import Cap

LIST_PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25

MSG_PROPOSED = "Tak. Dit forslag er sendt til behandling hos Kriminalforsorgens administrator."
MSG_APPROVED = "Forslaget er godkendt, og kontaktlisten er opdateret."
MSG_REJECTED = "Forslaget er afvist. Forslagsstilleren kan se begrundelsen."


@login_required
def change_request_list(request):
    """Reviewers: every request, pending first, with filters. Proposers: their organisation's requests."""
    if not may_use_change_requests(request.user):
        raise PermissionDenied
    is_reviewer = user_can(request.user, Cap.DIRECTORY_REVIEW)
    may_choose_municipality = is_reviewer or user_can(request.user, Cap.DIRECTORY_PROPOSE_ANY)
    filter_form = ChangeRequestFilterForm(
        request.GET if ("status" in request.GET or "kommune" in request.GET) else None,
        municipalities=selectors.municipality_choices() if may_choose_municipality else None,
    )
    change_requests = selectors.change_requests_for_list(request.user, **filter_form.filters())
    # Numbered pages with a capped count (core.pagination): a reviewer pages by number through a list of
    # proposals, which stays small; the cap bounds the count and the OFFSET however many there become.
    page = CappedPaginator(change_requests, LIST_PAGE_SIZE).get_page(request.GET.get("side"))
    membership = request.membership
    own_municipality = (
        membership.organisation
        if membership.organisation.is_municipality and may_propose_change_for(request.user, membership.organisation)
        else None
    )
    return render(
        request,
        "organisations/change_request_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "is_reviewer": is_reviewer,
            "own_municipality": own_municipality,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_request_create(request, code: str):
    """Step 1 (GET): choose a contact or "ny kontakt". Step 2: edit the prefilled fields and send."""
    municipality = access_municipality_for_proposal(request.user, code)
    contacts = selectors.contacts_for_proposal(municipality)
    by_pk = {str(contact.pk): contact for contact in contacts}
    form = None
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, contacts=contacts)
        if form.is_valid():
            try:
                change_request = services.change_request_propose(
                    municipality,
                    function=form.cleaned_data["function"],
                    contact=form.chosen_contact,
                    fields=form.proposed_fields(),
                    message=form.cleaned_data.get("message", ""),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:  # membership changed between the access check and the write
                raise Http404 from None
            else:
                messages.success(request, MSG_PROPOSED)
                return redirect("organisations:change_request_detail", pk=change_request.pk)
        choice = form.contact_choice if form.contact_choice in by_pk or form.contact_choice == NEW_CONTACT else ""
    else:
        choice = request.GET.get("contact", "")[:64]
        if choice in by_pk or choice == NEW_CONTACT:
            form = ChangeRequestForm(
                initial=ChangeRequestForm.initial_for(choice, by_pk.get(choice)), contacts=contacts
            )
        else:
            choice = ""
    context = {
        "municipality": municipality,
        "contacts": contacts,
        "choice": choice,
        "chosen_contact": by_pk.get(choice),
        "form": form,
        "new_contact_value": NEW_CONTACT,
    }
    if request.method == "GET" and request.headers.get("HX-Request"):
        return render(request, "organisations/partials/change_request_fields.html", context)
    return render(request, "organisations/change_request_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def route_change_request_create(request, code: str):
    """Propose which unit of the municipality receives which notices (a line of its routing table)."""
    municipality = access_municipality_for_proposal(request.user, code)
    departments = list(municipality.departments.order_by("name"))
    initial = {k: request.GET.get(k, "")[:64] for k in ("topic", "subject")}
    form = RouteChangeForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change_request = services.route_change_propose(
                municipality,
                topic=form.cleaned_data["topic"],
                subject=form.cleaned_data.get("subject", ""),
                department=form.chosen_department,
                note=form.cleaned_data.get("note", ""),
                message=form.cleaned_data.get("message", ""),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, MSG_PROPOSED)
            return redirect("organisations:change_request_detail", pk=change_request.pk)
    return render(
        request, "organisations/route_change_request_create.html", {"municipality": municipality, "form": form}
    )


def _detail_context(request, change_request: ContactChangeRequest, review_form: ReviewForm | None = None) -> dict:
    may_review = user_can(request.user, Cap.DIRECTORY_REVIEW) and change_request.status == ChangeRequestStatus.PENDING
    return {
        "change_request": change_request,
        "changes": selectors.change_request_comparison(change_request),
        "contact_changed_since": selectors.contact_changed_since_proposal(change_request),
        "review_form": (review_form or ReviewForm()) if may_review else None,
        "decision_approve": ReviewForm.APPROVE,
        "decision_reject": ReviewForm.REJECT,
    }


@login_required
def change_request_detail(request, pk):
    change_request = access_change_request_by_id(request.user, pk)
    return render(request, "organisations/change_request_detail.html", _detail_context(request, change_request))


@login_required
@require_POST
@require_capability(Cap.DIRECTORY_REVIEW)
def change_request_review(request, pk):
    """Approve or reject. A second submit, or a decision on a decided request, only shows a message."""
    change_request = access_change_request_by_id(request.user, pk)
    if change_request.status != ChangeRequestStatus.PENDING:
        messages.error(request, services.MSG_ALREADY_DECIDED)
        return redirect("organisations:change_request_detail", pk=change_request.pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewForm.APPROVE:
                services.change_request_approve(
                    change_request, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(request, MSG_APPROVED)
            else:
                services.change_request_reject(
                    change_request, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(request, MSG_REJECTED)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "already_decided":
                messages.error(request, services.MSG_ALREADY_DECIDED)
                return redirect("organisations:change_request_detail", pk=change_request.pk)
            add_service_errors(form, exc)
        else:
            return redirect("organisations:change_request_detail", pk=change_request.pk)
    return render(request, "organisations/change_request_detail.html", _detail_context(request, change_request, form))


def contact_history(request, code: str):
    """Public: the approved changes to a municipality's contacts, newest first, before -> after per field.

    Contacts are units, not persons, and the public page shows them already; the proposer, the
    messages and the decision reasons stay internal and are not shown here.
    """
    municipality = selectors.municipalities().filter(code=str(code)[:64]).first()
    if municipality is None:
        raise Http404
    history = selectors.contact_history(municipality)
    page = CappedPaginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("side"))
    entries = [(change_request, selectors.history_changes(change_request)) for change_request in page]
    return render(
        request,
        "organisations/contact_history.html",
        {"municipality": municipality, "page": page, "entries": entries},
    )
