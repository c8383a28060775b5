"""Organisations (KRFO units are edited here), departments, memberships and the directory.

Memberships (here and inline on the user page, samarbejde/accounts/admin.py) are written through
organisations.services: membership_grant for a new one, membership_update for role/department, membership_revoke
and membership_grant for unticking and ticking "aktiv". See samarbejde/core/admin.py ServiceAdminMixin.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from samarbejde.audit.services import audit_record
from samarbejde.core.admin import (
    ADMIN_PURPOSE,
    AdministratorAdmin,
    AdministratorInline,
    ServiceAdminMixin,
    ServiceRefused,
)
from samarbejde.organisations import services
from samarbejde.organisations.models import (
    Contact,
    ContactChangeRequest,
    Department,
    Membership,
    NoticeRoute,
    Organisation,
    Region,
)
from samarbejde.organisations.roles import OrgKind
from samarbejde.organisations.routing import routing_topics
from samarbejde.organisations.services import (
    MSG_MEMBERSHIP_EXISTS,
    membership_exists,
    membership_grant,
    membership_revoke,
    membership_update,
)

MSG_ORGANISATION_FIXED = (
    "Organisationen kan ikke ændres på en eksisterende tilknytning. Deaktivér den, og giv en ny tilknytning i stedet."
)
MSG_NEW_INACTIVE = "En ny tilknytning er aktiv fra start. Sæt flueben i »aktiv«, eller fjern rækken igen."


class MembershipAdminForm(forms.ModelForm):
    """The membership form of the admin page and the user page's inline; the services do the writing."""

    class Meta:
        model = Membership
        fields = ("user", "organisation", "department", "role", "is_active")

    def clean(self):
        cleaned = super().clean()
        adding = self.instance._state.adding
        if not adding and "organisation" in self.fields and "organisation" in self.changed_data:
            self.add_error("organisation", MSG_ORGANISATION_FIXED)
        if adding and "is_active" in self.fields and not cleaned.get("is_active"):
            self.add_error("is_active", MSG_NEW_INACTIVE)
        if adding:
            user = cleaned.get("user") or (self.instance.user if self.instance.user_id else None)
            organisation, role = cleaned.get("organisation"), cleaned.get("role")
            if user and organisation and role:
                department = cleaned.get("department")
                if membership_exists(user, organisation=organisation, role=role, department=department):
                    self.add_error(None, MSG_MEMBERSHIP_EXISTS)  # on "role" it would hide the role from clean()
        return cleaned

    def validate_constraints(self):
        """The two partial unique constraints have no readable message: clean() and the services say it in Danish."""


def save_membership_form(request, form: forms.ModelForm) -> Membership:
    """One validated membership form, written through the services; returns the saved membership."""
    data, membership = form.cleaned_data, form.instance
    if membership._state.adding:
        return membership_grant(
            data.get("user") or membership.user,
            organisation=data["organisation"],
            role=data["role"],
            department=data.get("department"),
            acting_user=request.user,
        )
    changed = set(form.changed_data)
    saved = membership
    if changed & {"role", "department"}:
        saved = membership_update(
            membership, role=data["role"], department=data.get("department"), acting_user=request.user
        )
    if "is_active" in changed:
        if data["is_active"]:
            saved = membership_grant(
                saved.user,
                organisation=saved.organisation,
                role=saved.role,
                department=saved.department,
                acting_user=request.user,
            )
        else:
            saved = membership_revoke(saved, acting_user=request.user)
    return saved


def save_membership_formset(request, formset) -> None:
    """The user page's membership inline, row by row through the services, audited as the admin does.

    Sets new_objects/changed_objects/deleted_objects as formset.save() would (the admin's change message
    reads them). A refusal names the row's prefix, so the message shows on that row.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def audit(action: str, obj, **details) -> None:
        audit_record(action, acting_user=request.user, obj=obj, purpose=ADMIN_PURPOSE, details=details or None)

    def save(form) -> Membership:
        try:
            return save_membership_form(request, form)
        except ValidationError as error:
            raise ServiceRefused(error, prefix=form.prefix) from error

    for form in formset.initial_forms:
        if formset.can_delete and formset._should_delete_form(form):
            audit("admin.delete", form.instance)
            form.instance.delete()
            formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            saved = save(form)
            formset.changed_objects.append((saved, form.changed_data))
            audit("admin.change", saved, fields=sorted(form.changed_data))
    for form in formset.extra_forms:
        if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form)):
            saved = save(form)
            formset.new_objects.append(saved)
            audit("admin.add", saved)


class DepartmentInline(AdministratorInline, admin.TabularInline):
    model = Department
    extra = 0
    fields = ("kind", "name", "email")


@admin.register(Organisation)
class OrganisationAdmin(AdministratorAdmin):
    list_display = ("name", "code", "kind", "institution_type", "region", "police_district", "is_active")
    list_filter = ("kind", "is_active", "institution_type", "region")
    search_fields = ("name", "code")
    list_select_related = ("region", "police_district")
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("kind", "code", "name", "institution_type", "is_active")}),
        ("Kontakt", {"fields": ("address", "phone", "email", "website")}),
        ("Kun for kommuner", {"fields": ("region", "police_district")}),
    )
    inlines = (DepartmentInline,)


@admin.register(Department)
class DepartmentAdmin(AdministratorAdmin):
    list_display = ("name", "organisation", "kind", "email")
    list_filter = ("kind", "organisation__kind")
    search_fields = ("name", "organisation__name", "organisation__code")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, AdministratorAdmin):
    """A new membership is always active; on an existing one the user and organisation stay (revoke and grant
    a new one instead)."""

    form = MembershipAdminForm
    list_display = ("user", "organisation", "department", "role", "is_active")
    list_filter = ("role", "is_active", "organisation__kind")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "organisation__name",
        "organisation__code",
    )
    list_select_related = ("user", "organisation", "department")
    autocomplete_fields = ("user", "organisation", "department")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "organisation", "department", "role")
        return ("user", "organisation", "department", "role", "is_active")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "organisation") if obj is not None else ()

    def save_through_service(self, request, obj, form, change):
        return save_membership_form(request, form)


@admin.register(Region)
class RegionAdmin(AdministratorAdmin):
    """Reference data from DAWA (loaded by load_reference_data): shown, not edited."""

    read_only = True
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Contact)
class ContactAdmin(AdministratorAdmin):
    list_display = ("unit_name", "function", "organisation", "department", "secure_mailbox", "phone")
    list_filter = ("function", "organisation__kind")
    search_fields = ("unit_name", "person_name", "secure_mailbox", "organisation__name", "organisation__code")
    list_select_related = ("organisation", "department")
    autocomplete_fields = ("organisation", "department", "covers")


@admin.register(ContactChangeRequest)
class ContactChangeRequestAdmin(AdministratorAdmin):
    """Shown for reference only: proposals are made and decided in the application, where they are audited."""

    read_only = True
    list_display = ("__str__", "organisation", "status", "proposed_by", "created_at", "decided_at")
    list_filter = ("status", "function")
    search_fields = ("unit_name", "organisation__name", "organisation__code", "proposed_by__username")
    list_select_related = ("organisation", "proposed_by", "contact")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


class NoticeRouteForm(forms.ModelForm):
    """A line of a municipality's routing table, with the topics and subjects the notification rules name and
    the guards of organisations.services.notice_route_clean (Danish messages at the fields)."""

    topic = forms.ChoiceField(label="Underretning om")
    subject = forms.ChoiceField(label="Når borgeren modtager", required=False)

    class Meta:
        model = NoticeRoute
        fields = ("organisation", "topic", "subject", "department", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = routing_topics()
        self.fields["topic"].choices = [("", "---------"), *((t.value, t.label) for t in topics)]
        subjects = {value: label for t in topics for value, label in t.subjects}
        self.fields["subject"].choices = [("", "Alle"), *subjects.items()]
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY)

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is not None and not self.errors:
            try:
                services.notice_route_clean(
                    organisation,
                    cleaned.get("topic"),
                    cleaned.get("subject"),
                    cleaned.get("department"),
                    cleaned.get("note"),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        self.add_error(field if field in self.fields else None, errors)
                else:
                    self.add_error(None, exc)
        return cleaned


@admin.register(NoticeRoute)
class NoticeRouteAdmin(AdministratorAdmin):
    """Administrators edit a municipality's routing table here (coordinators propose changes in the
    application). Every write goes through organisations.services.notice_route_save, audited as
    organisations.notice_route_save/delete; a line's municipality, topic and subject are fixed once saved."""

    form = NoticeRouteForm
    list_display = ("organisation", "topic", "subject", "department", "note")
    list_filter = ("topic",)
    search_fields = ("organisation__name", "organisation__code", "department__name")
    list_select_related = ("organisation", "department")
    autocomplete_fields = ("organisation", "department")

    def get_readonly_fields(self, request, obj=None):
        return ("organisation", "topic", "subject") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        line = services.notice_route_save(
            obj.organisation,
            topic=obj.topic,
            subject=obj.subject,
            department=obj.department,
            note=obj.note,
            acting_user=request.user,
        )
        obj.pk, obj._state.adding = line.pk, False

    def delete_model(self, request, obj):
        services.notice_route_save(
            obj.organisation, topic=obj.topic, subject=obj.subject, department=None, acting_user=request.user
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
