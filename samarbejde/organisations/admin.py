"""Organisations (KRFO units are edited here), departments, memberships and the directory."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from samarbejde.core.admin import AdministratorAdmin, AdministratorInline
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
class MembershipAdmin(AdministratorAdmin):
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
