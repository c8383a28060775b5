"""Forms for the inmate: prepare, print as PDF, and track the status. KRFO staff only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.custody.selectors import episode_open_for_person
from samarbejde.documents.access import access_inmate_form_by_id, inmate_forms_visible_to, may_prepare_forms
from samarbejde.documents.forms import InmateFormForm, PersonLookupForm, StatusForm
from samarbejde.documents.models import FormKind
from samarbejde.documents.selectors import inmate_forms_recent_for_organisation
from samarbejde.documents.services import inmate_form_prepare, inmate_form_print, inmate_form_set_status
from samarbejde.organisations.access import active_membership, require_capability
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import access_person_by_id
from samarbejde.people.fields import Context, field_view
from samarbejde.people.selectors import person_search_by_cpr

PURPOSE_FORM_CREATE = "Udfyldning af blanket til indsat"
MSG_PERSON_NOT_FOUND = (
    "Der er ingen person med det CPR-nummer blandt Kriminalforsorgens klienter. Tjek nummeret, eller registrér "
    "indsættelsen først."
)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def index(request):
    """/blanketter/: the two forms explained, find the inmate by CPR (posted, then redirected: the number is never
    in a URL), and the forms the user's organisation prepared most recently (an audited read of each person)."""
    if not may_prepare_forms(request.user):
        raise Http404
    lookup = PersonLookupForm(request.POST or None)
    if request.method == "POST" and lookup.is_valid():
        person = person_search_by_cpr(request.user, lookup.cleaned_data["cpr"], purpose="Blanketter til indsat")
        if person is not None:
            return redirect("documents:forms_for_person", person_id=person.pk)
        lookup.add_error("cpr", MSG_PERSON_NOT_FOUND)
    recent = inmate_forms_recent_for_organisation(request.user)
    persons = list({item.person_id: item.person for item in recent}.values())
    organisation = active_membership(request.user).organisation
    audit_read_many(
        "documents.recent_list",
        acting_user=request.user,
        persons=persons,
        purpose=f"Senest udfyldte blanketter i {organisation.display_name}",
    )
    return render(
        request,
        "documents/index.html",
        {
            "lookup": lookup,
            "kinds": FormKind,
            "organisation": organisation,
            "recent": recent,
            "fields": field_view(request.user, Context.KRFO_CASE),
        },
    )


def _person(request, person_id):
    person = access_person_by_id(request.user, person_id)
    if not may_prepare_forms(request.user):
        raise Http404
    return person


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def forms_for_person(request, person_id):
    person = _person(request, person_id)
    items = list(inmate_forms_visible_to(request.user).filter(person=person))
    audit_record("documents.list", acting_user=request.user, person=person, obj=person, purpose="Blanketter til indsat")
    return render(
        request,
        "documents/forms_for_person.html",
        {"person": person, "cpr": field_view(request.user, Context.KRFO_CASE).cpr(person), "items": items},
    )


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def form_create(request, person_id):
    """The page shows the inmate's name and CPR number: every time it is shown (a GET, or a POST with errors) is an
    audited read of the person; a successful POST is audited by the service (`documents.prepare`)."""
    person = _person(request, person_id)
    form = InmateFormForm(request.POST or None, initial={"kind": request.GET.get("blanket", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = inmate_form_prepare(
                person,
                kind=data["kind"],
                episode=episode_open_for_person(request.user, person),
                reason=data["reason"],
                relative_name=data["relative_name"],
                relative_cpr=data["relative_cpr"],
                relative_relation=data["relative_relation"],
                acting_user=request.user,
            )
        except ValidationError as error:
            target = "relative_cpr" if getattr(error, "code", "") and error.code.startswith("cpr") else None
            for message in error.messages:
                form.add_error(target, message)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, "Blanketten er udfyldt. Udskriv den, og lad den indsatte skrive under.")
            return redirect(created)
    audit_record("people.view", acting_user=request.user, person=person, obj=person, purpose=PURPOSE_FORM_CREATE)
    return render(
        request,
        "documents/form_create.html",
        {"person": person, "cpr": field_view(request.user, Context.KRFO_CASE).cpr(person), "form": form},
    )


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def form_detail(request, pk):
    item = access_inmate_form_by_id(request.user, pk)
    audit_record(
        "documents.view", acting_user=request.user, person=item.person, obj=item, purpose=item.get_kind_display()
    )
    return render(
        request,
        "documents/form_detail.html",
        {
            "item": item,
            "cpr": field_view(request.user, Context.KRFO_CASE).cpr(item.person),
            "history": item.status_changes.select_related("changed_by"),
            "status_form": StatusForm(choices=item.next_statuses) if item.next_statuses else None,
        },
    )


@require_POST
@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def form_status(request, pk):
    item = access_inmate_form_by_id(request.user, pk)
    form = StatusForm(request.POST, choices=[*item.next_statuses, (item.status, item.get_status_display())])
    if not form.is_valid():
        messages.error(request, "Vælg en af de mulige statusser.")
        return redirect(item)
    try:
        inmate_form_set_status(
            item, status=form.cleaned_data["status"], note=form.cleaned_data["note"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(request, "Status er opdateret.")
    return redirect(item)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def form_pdf(request, pk):
    item = access_inmate_form_by_id(request.user, pk)
    response = HttpResponse(inmate_form_print(item, acting_user=request.user), content_type="application/pdf")
    # The file name carries no personal data.
    response["Content-Disposition"] = f'attachment; filename="blanket-{item.kind}-{str(item.pk)[:8]}.pdf"'
    return response
