"""The audit trail in the admin: list, filter, search and view. Never add, change or delete."""

import uuid

from django.contrib import admin
from django.core.exceptions import ValidationError

from samarbejde.audit.models import AuditEvent
from samarbejde.audit.services import audit_record
from samarbejde.core.admin import ADMIN_READ_PURPOSE, AdministratorAdmin
from samarbejde.organisations.roles import Cap, Role
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person


def _cpr_or_none(term: str) -> str | None:
    try:
        return normalize_cpr(term)
    except ValidationError:
        return None


class RoleFilter(admin.SimpleListFilter):
    """The role with its Danish label; events without a role (system, anonymous) get a label too."""

    title = "rolle"
    parameter_name = "role"
    NONE = "ingen"

    def lookups(self, request, model_admin):
        return [*Role.choices, (self.NONE, "Ingen rolle (system)")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NONE:
            return queryset.filter(role="")
        if value:
            return queryset.filter(role=value)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(AdministratorAdmin):
    """Read-only. Searching accepts a CPR number (the person) or a correlation id besides free text."""

    capability = Cap.AUDIT_SEARCH
    read_only = True
    list_display = (
        "occurred_at",
        "actor_label",
        "organisation_label",
        "role",
        "action",
        "person_display",
        "object_type",
        "object_id",
        "purpose",
        "correlation_id",
    )
    list_filter = ("action", RoleFilter, "organisation__kind")
    list_select_related = ("person",)
    search_fields = ("action", "actor_label", "organisation_label", "purpose", "object_id")
    search_help_text = "Søg på handling, bruger, organisation, formål, objekt-id, CPR-nummer eller korrelations-id."
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="person")
    def person_display(self, obj: AuditEvent) -> str:
        return f"{obj.person.full_name} ({obj.person.cpr_masked})" if obj.person_id else "–"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        cpr = _cpr_or_none(term)
        if cpr is not None:
            return queryset.filter(person__cpr=cpr), False
        try:
            return queryset.filter(correlation_id=uuid.UUID(term)), False
        except ValueError:
            pass
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and response.context_data.get("cl") is not None:
            cpr = _cpr_or_none(request.GET.get("q", "").strip())
            audit_record(
                "audit.search",
                acting_user=request.user,
                person=Person.objects.filter(cpr=cpr).first() if cpr else None,
                purpose="Søgning i revisionsspor (administrationsmodulet)",
                details={"source": "admin"},
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit_record("admin.view", acting_user=request.user, person=obj.person, obj=obj, purpose=ADMIN_READ_PURPOSE)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
