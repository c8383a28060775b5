"""Shared building blocks for every app's admin, and the worker heartbeat.

Django's admin is for administrators only (samarbejde/accounts/admin_site.py). Inside it, what an
administrator may do comes from role capabilities, not from Django's per-model permissions, and every
write made through the admin is audited (`admin.add`, `admin.change`, `admin.delete`) in the same
transaction as the change (the admin wraps its views in one). Admin pages that show persons also
record the read.

Models whose writes have a service (persons, person links, memberships) save through it instead of
Model.save(), so the admin gets the same guards and the domain audit action (`people.update`,
`organisations.membership_grant`, ...) next to the generic `admin.*` one: see ServiceAdminMixin. A service's
ValidationError rolls the whole admin write back and shows as Danish form errors (ServiceRefused).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.models import WorkerHeartbeat
from samarbejde.organisations.access import user_can
from samarbejde.organisations.roles import Cap

ADMIN_PURPOSE = "Vedligeholdelse i administrationsmodulet"
ADMIN_READ_PURPOSE = "Opslag i administrationsmodulet"


class CapabilityPermissionsMixin:
    """Permissions from capabilities. `read_only` gives list + view only; `allow_add`/`allow_delete` narrow further."""

    capability: str = Cap.ADMIN_SITE
    read_only: bool = False
    allow_add: bool = True
    allow_delete: bool = True

    def _allowed(self, request) -> bool:
        user = request.user
        return user_can(user, Cap.ADMIN_SITE) and user_can(user, self.capability)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self.read_only and self.allow_add and self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self.read_only and self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self.read_only and self.allow_delete and self._allowed(request)


def _person_of(obj):
    from samarbejde.people.models import Person

    if isinstance(obj, Person):
        return obj
    person = getattr(obj, "person", None)
    return person if isinstance(person, Person) else None


class AdministratorAdmin(CapabilityPermissionsMixin, admin.ModelAdmin):
    """Base ModelAdmin: capability permissions, and every write audited with the person concerned."""

    def audit_person(self, obj):
        """The data subject an object concerns (Person, or an object with a `person`), else None."""
        return _person_of(obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit_admin_write(request, obj, form, change)

    def audit_admin_write(self, request, obj, form, change) -> None:
        audit_record(
            "admin.change" if change else "admin.add",
            acting_user=request.user,
            person=self.audit_person(obj),
            obj=obj,
            purpose=ADMIN_PURPOSE,
            details={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit_record(
            "admin.delete", acting_user=request.user, person=self.audit_person(obj), obj=obj, purpose=ADMIN_PURPOSE
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                "admin.delete", acting_user=request.user, person=self.audit_person(obj), obj=obj, purpose=ADMIN_PURPOSE
            )
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        # Deleted inline objects lose their pk on delete: record them before the formset saves.
        deleted = [f.instance for f in getattr(formset, "deleted_forms", []) if f.instance.pk is not None]
        for obj in deleted:
            audit_record(
                "admin.delete", acting_user=request.user, person=_person_of(obj), obj=obj, purpose=ADMIN_PURPOSE
            )
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            audit_record("admin.add", acting_user=request.user, person=_person_of(obj), obj=obj, purpose=ADMIN_PURPOSE)
        for obj, fields in getattr(formset, "changed_objects", []):
            audit_record(
                "admin.change",
                acting_user=request.user,
                person=_person_of(obj),
                obj=obj,
                purpose=ADMIN_PURPOSE,
                details={"fields": sorted(fields)},
            )


class PersonalDataAdmin(AdministratorAdmin):
    """For models that show persons: the list records one read per person shown, the detail page one read."""

    def persons_shown(self, objects) -> list:
        seen, persons = set(), []
        for obj in objects:
            person = _person_of(obj)
            if person is not None and person.pk not in seen:
                seen.add(person.pk)
                persons.append(person)
        return persons

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            audit_read_many(
                "admin.view",
                acting_user=request.user,
                persons=self.persons_shown(changelist.result_list),
                purpose=ADMIN_READ_PURPOSE,
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            audit_record(
                "admin.view", acting_user=request.user, person=_person_of(obj), obj=obj, purpose=ADMIN_READ_PURPOSE
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def history_view(self, request, object_id, extra_context=None):
        """The history page names the object (a person's name) and lists its changes: a read of the person."""
        response = super().history_view(request, object_id, extra_context)
        self._audit_page_read(request, response)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        """The confirmation page (GET) shows the object and what would go with it: a read of the person."""
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET":
            self._audit_page_read(request, response)
        return response

    def _audit_page_read(self, request, response) -> None:
        context = getattr(response, "context_data", None) or {}
        obj = context.get("object")
        if response.status_code == 200 and obj is not None and getattr(obj, "pk", None) is not None:
            audit_record(
                "admin.view", acting_user=request.user, person=_person_of(obj), obj=obj, purpose=ADMIN_READ_PURPOSE
            )


MSG_CPR_LOOKUP_NOT_FOUND = "Der findes ingen person med det CPR-nummer."


class CprLookupAdminMixin:
    """A look-up by CPR number on the change list, as a POST form (with CSRF) that redirects to an id-based URL.

    A CPR number in a URL lands in access logs, browser history and Referer headers, so the admin's search
    (`?q=`) never takes one: search_fields hold no CPR field, and a GET with a CPR-looking value is refused by
    samarbejde.core.middleware.RefuseCprInQueryMiddleware. Every look-up, hit or miss, writes one `people.search`
    audit event (the person when found, never the number). Subclasses say where a hit goes (cpr_lookup_target).
    """

    change_list_template = "admin/cpr_lookup_change_list.html"
    cpr_lookup_help = "Skriv de 10 cifre (ddmmåå-xxxx). Søgningen sendes, så nummeret ikke kommer i adressen."

    def cpr_lookup_target(self, person) -> str:
        raise NotImplementedError

    def _cpr_lookup_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_cpr_lookup"

    def get_urls(self):
        lookup = path("cpr-opslag/", self.admin_site.admin_view(self.cpr_lookup_view), name=self._cpr_lookup_name())
        return [lookup, *super().get_urls()]  # before the admin's catch-all <path:object_id>/

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "cpr_lookup_url": reverse(f"admin:{self._cpr_lookup_name()}", current_app=self.admin_site.name),
            "cpr_lookup_help": self.cpr_lookup_help,
        }
        return super().changelist_view(request, extra_context)

    def cpr_lookup_view(self, request):
        return require_POST(self._cpr_lookup)(request)

    def _cpr_lookup(self, request):
        from samarbejde.people.cpr import normalize_cpr
        from samarbejde.people.models import Person

        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist", current_app=self.admin_site.name
        )
        try:
            cpr = normalize_cpr(request.POST.get("cpr", ""))
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return redirect(changelist)
        person = Person.objects.filter(cpr=cpr).first()
        audit_record(
            "people.search",
            acting_user=request.user,
            person=person,
            obj=person,
            purpose=ADMIN_READ_PURPOSE,
            details={"found": person is not None, "source": "admin"},
        )
        if person is None:
            self.message_user(request, MSG_CPR_LOOKUP_NOT_FOUND, messages.WARNING)
            return redirect(changelist)
        return redirect(self.cpr_lookup_target(person))


class AdministratorInline(CapabilityPermissionsMixin):
    """Mix into TabularInline/StackedInline; inline writes are audited by the parent's save_formset."""


# --- Writes through the services ------------------------------------------------------------------------


class ServiceRefused(Exception):
    """A service refused an admin write. Raised out of the admin's transaction, so everything the request
    wrote is rolled back; ServiceRefusalMixin then shows the form again with the service's messages.

    `prefix` names the form the refusal belongs to: None for the page's main form, else an inline form's prefix.
    """

    def __init__(self, error: ValidationError, prefix: str | None = None):
        super().__init__(error)
        self.error = error
        self.prefix = prefix


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError as form errors: on the field it names if the form shows it, else above."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _with_refusal(form_class: type[forms.BaseForm], refusal: ServiceRefused) -> type[forms.BaseForm]:
    def clean(self):
        cleaned = super(refused_form, self).clean()
        if self.prefix == refusal.prefix:
            add_service_errors(self, refusal.error)
        return cleaned

    refused_form = type(form_class.__name__, (form_class,), {"clean": clean, "__module__": form_class.__module__})
    return refused_form


class ServiceRefusalMixin:
    """For ModelAdmins whose save_model/save_formset may raise ServiceRefused.

    The write is tried once inside Django's transaction; on a refusal it is rolled back and the same POST is
    run again with the refusal attached to the form it belongs to, so that form is invalid and the page is
    rendered as for any other form error (nothing saved, the input kept, the message in Danish).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            if getattr(request, "_service_refusal", None) is not None:
                raise  # the second run saved again: never expected, so not hidden
            request._service_refusal = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        return form_class if refusal is None else _with_refusal(form_class, refusal)


class ServiceInlineMixin:
    """For inlines of a ServiceRefusalMixin admin: a refusal raised for one inline form shows on that form."""

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is not None:
            formset_class.form = _with_refusal(formset_class.form, refusal)
        return formset_class


def adopt(obj, saved) -> None:
    """Make the admin's in-memory `obj` the row a service saved (the admin goes on with `obj`: log, redirect)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAdminMixin(ServiceRefusalMixin):
    """Mix in before AdministratorAdmin: the main form is saved by `save_through_service`, not Model.save().

    `save_through_service(request, obj, form, change)` calls the owning app's service with the form's cleaned
    data and returns the saved object; a ValidationError becomes form errors. The generic `admin.add` /
    `admin.change` event is still written after it (with the changed field names), so every admin write
    stays findable under `admin.*` as well as under its domain action.
    """

    def save_through_service(self, request, obj, form, change):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            saved = self.save_through_service(request, obj, form, change)
        except ValidationError as error:
            raise ServiceRefused(error) from error
        adopt(obj, saved)
        self.audit_admin_write(request, obj, form, change)


# Third-party admins (registered before ours: their apps come first in INSTALLED_APPS) use Django's
# per-model permissions, which administrators do not hold. Gate them by capability with a set policy:
# (app_label, model_name) -> (read_only, allow_add, allow_delete).
THIRD_PARTY_POLICIES: dict[tuple[str, str], tuple[bool, bool, bool]] = {
    ("axes", "accessattempt"): (False, False, True),  # delete = unlock a locked-out login
    ("axes", "accesslog"): (True, False, False),
    ("axes", "accessfailurelog"): (True, False, False),
    ("otp_totp", "totpdevice"): (False, True, True),  # reset a user's second factor
    ("django_tasks_database", "dbtaskresult"): (True, False, False),
}


def gate_third_party_admins(site) -> None:
    for model, model_admin in list(site._registry.items()):
        policy = THIRD_PARTY_POLICIES.get((model._meta.app_label, model._meta.model_name))
        if policy is None or isinstance(model_admin, CapabilityPermissionsMixin):
            continue
        read_only, allow_add, allow_delete = policy
        gated = type(
            f"Gated{type(model_admin).__name__}",
            (CapabilityPermissionsMixin, type(model_admin)),
            {"read_only": read_only, "allow_add": allow_add, "allow_delete": allow_delete},
        )
        site.unregister(model)
        site.register(model, gated)


gate_third_party_admins(admin.site)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(AdministratorAdmin):
    read_only = True
    list_display = ("worker", "beat_at")
    search_fields = ("worker",)
    ordering = ("-beat_at",)
    readonly_fields = ("worker", "beat_at")
