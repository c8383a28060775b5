"""Organisations (KRFO units are edited here), departments, memberships and the directory."""

from django.contrib import admin

from samarbejde.core.admin import AdministratorAdmin, AdministratorInline
from samarbejde.organisations.models import (
    Contact,
    ContactChangeRequest,
    Department,
    Membership,
    Organisation,
    Region,
)


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
