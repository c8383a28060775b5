"""The consent pages (KRFO only): register a consent (with the printable form), a consent with its revocation
form, the signed form's download, and the list of disclosures without consent. Thin: forms check types,
consent.services the rules; every page that shows a person writes an audit event naming the person."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.consent import access, selectors, services
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.forms import ConsentForm, RevokeForm, add_service_error, scope_organisations
from samarbejde.consent.printing import blank_form_pdf
from samarbejde.core.pagination import keyset_page
from samarbejde.custody.access import episodes_visible_to
from samarbejde.organisations.access import require_capability
from samarbejde.organisations.roles import Cap
from samarbejde.people.fields import Context, field_view
from samarbejde.people.models import Person

PAGE_SIZE = 50
MSG_GIVEN = "Samtykket er registreret."
MSG_REVOKED = "Samtykket er tilbagekaldt. %(count)s"
CATEGORY_LABELS = dict(DataCategory.choices)


def status_of(consent, today=None) -> tuple[str, bool]:
    today = today or timezone.localdate()
    if consent.revoked_at is not None:
        return "Tilbagekaldt", False
    if consent.expires_on < today:
        return "Udløbet", False
    if consent.given_on > today:
        return "Ikke gyldigt endnu", False
    return "Gyldigt", True


def consent_rows(consents) -> list[dict]:
    today = timezone.localdate()
    rows = []
    for consent in consents:
        scopes = list(consent.scopes.all())
        rows.append(
            {
                "consent": consent,
                "recipients": list(dict.fromkeys(s.recipient.display_name for s in scopes)),
                "categories": [CATEGORY_LABELS.get(c, c) for c in dict.fromkeys(s.category for s in scopes)],
                "status": status_of(consent, today)[0],
            }
        )
    return rows


def _person_for_recording(request, person_pk) -> Person:
    """The person, when the user may record consents for them; 404 for missing and forbidden alike."""
    if not access.may_record_consent(request.user):
        raise Http404
    try:
        person = Person.objects.select_related("home_municipality").get(pk=person_pk)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if not access.sees_person(request.user, person):
        raise Http404
    return person


def _episode_of(user, person):
    return episodes_visible_to(user).filter(person=person).order_by("-admitted_at").first()


def _person_context(request, person) -> dict:
    fields = field_view(request.user, Context.KRFO_CASE)
    return {"person": person, "person_cpr": fields.cpr(person), "episode": _episode_of(request.user, person)}


@require_capability(Cap.CONSENT_RECORD, hide=True)
@require_http_methods(["GET", "POST"])
def consent_create(request, person_pk):
    person = _person_for_recording(request, person_pk)
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES, person=person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                consent = services.consent_give(
                    person,
                    recipients=list(data["recipients"]),
                    categories=data["categories"],
                    purpose=data["purpose"],
                    given_on=data["given_on"],
                    expires_on=data.get("expires_on"),
                    given_how=data["given_how"],
                    signed_form=data.get("signed_form"),
                    witness_name=data.get("witness_name", ""),
                    witness_role=data.get("witness_role", ""),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, MSG_GIVEN)
                return redirect("consent:detail", pk=consent.pk)
    else:
        form = ConsentForm(person=person)
    audit_record(
        "consent.form_view", acting_user=request.user, person=person, obj=person, purpose="Registrering af samtykke"
    )
    return render(
        request,
        "consent/consent_form.html",
        {**_person_context(request, person), "form": form},
        status=200,
    )


@require_capability(Cap.CONSENT_RECORD, hide=True)
@require_http_methods(["GET", "POST"])
def consent_blank_form(request, person_pk):
    """The printable consent form: GET with the defaults, POST with the scope chosen on the register page
    (unknown values are left out; nothing is saved)."""
    person = _person_for_recording(request, person_pk)
    scope: dict = {}
    if request.method == "POST":
        ids = [v for v in request.POST.getlist("recipients") if v]
        try:
            scope["recipients"] = list(scope_organisations().filter(pk__in=ids)) if ids else []
        except (ValidationError, ValueError):
            scope["recipients"] = []
        scope["categories"] = [c for c in request.POST.getlist("categories") if c in CATEGORY_LABELS]
        scope["purpose"] = (request.POST.get("purpose") or "").strip()[:300]
        form = ConsentForm(request.POST, person=person)
        form.is_valid()
        expires = form.cleaned_data.get("expires_on") if hasattr(form, "cleaned_data") else None
        if expires:
            scope["expires_on"] = expires
    audit_record(
        "consent.print_form",
        acting_user=request.user,
        person=person,
        obj=person,
        purpose="Udskrift af samtykkeerklæring til underskrift",
    )
    fields = field_view(request.user, Context.KRFO_CASE)
    response = HttpResponse(blank_form_pdf(person, fields=fields, **scope), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="samtykkeerklaering.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _render_detail(request, consent, *, revoke_form=None, status=200):
    audit_record(
        "consent.view", acting_user=request.user, person=consent.person, obj=consent, purpose="Visning af samtykke"
    )
    [row] = consent_rows([consent])
    label, live = status_of(consent)
    revocation = getattr(consent, "revocation", None) if consent.revoked_at else None
    if revoke_form is None and consent.revoked_at is None and access.may_record_consent(request.user):
        revoke_form = RevokeForm(prefix="revoke")
    return render(
        request,
        "consent/consent_detail.html",
        {
            **_person_context(request, consent.person),
            "consent": consent,
            "recipients": row["recipients"],
            "categories": row["categories"],
            "status": label,
            "status_live": live,
            "revocation": revocation,
            "revoke_form": revoke_form if consent.revoked_at is None else None,
        },
        status=status,
    )


def _consent(request, pk, action="view"):
    consent = access.access_consent_by_id(request.user, pk, action=action)
    return selectors.consents_of_person(request.user, consent.person).get(pk=consent.pk)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def consent_detail(request, pk):
    return _render_detail(request, _consent(request, pk))


@require_capability(Cap.CONSENT_RECORD, hide=True)
@require_POST
def consent_revoke(request, pk):
    consent = _consent(request, pk, action="change")
    form = RevokeForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.consent_revoke(
                consent,
                revoked_on=form.cleaned_data["revoked_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            count = len({s.recipient_id for s in consent.scopes.all()})
            told = "1 myndighed har fået besked." if count == 1 else f"{count} myndigheder har fået besked."
            messages.success(request, MSG_REVOKED % {"count": told})
            return redirect("consent:detail", pk=consent.pk)
    return _render_detail(request, consent, revoke_form=form)


@require_capability(Cap.PERSON_VIEW_ALL, hide=True)
def consent_signed_form(request, pk):
    """The signed form, for those who see the consent; 404 for everybody else and for a missing file."""
    consent = access.access_consent_by_id(request.user, pk)
    if not consent.signed_form:
        raise Http404
    try:
        handle = consent.signed_form.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    audit_record(
        "consent.signed_form_download",
        acting_user=request.user,
        person=consent.person,
        obj=consent,
        purpose="Hentet underskrevet samtykkeerklæring",
    )
    response = FileResponse(
        handle, as_attachment=True, filename="samtykkeerklaering.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_capability(Cap.CONSENT_OVERRIDE_LIST)
def override_list(request):
    """Every disclosure without consent the user may see (a manager: the own unit's; an administrator: all),
    newest first, a keyset page at a time; the persons shown are audited as read."""
    page = keyset_page(
        selectors.overrides_for(request.user),
        ["-at", "-id"],
        per_page=PAGE_SIZE,
        after=request.GET.get("efter", ""),
        before=request.GET.get("foer", ""),
    )
    overrides = list(page.object_list)
    if overrides:
        audit_read_many(
            "consent.override_list",
            acting_user=request.user,
            persons=[o.person for o in overrides],
            purpose="Liste over videregivelser uden samtykke",
        )
    fields = field_view(request.user, Context.AUDIT)
    return render(request, "consent/override_list.html", {"overrides": overrides, "page": page, "fields": fields})
