"""The audit trail in the admin: list, filter, search and view. Never add, change or delete."""

import uuid

from django.contrib import admin
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.core.admin import ADMIN_READ_PURPOSE, AdministratorAdmin, CprLookupAdminMixin
from samarbejde.organisations.roles import Cap, Role
from samarbejde.people.models import Person


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
class AuditEventAdmin(CprLookupAdminMixin, AdministratorAdmin):
    """Read-only. Searching accepts a correlation id besides free text; the events about one person are found
    through the POSTed CPR look-up, which lists them by the person's id (`?person__id__exact=<uuid>`)."""

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
    search_help_text = "Søg på handling, bruger, organisation, formål, objekt-id eller korrelations-id."
    cpr_lookup_help = "Viser hændelserne om personen. Nummeret sendes, så det ikke kommer i adressen."
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="person")
    def person_display(self, obj: AuditEvent) -> str:
        return f"{obj.person.full_name} ({obj.person.cpr_masked})" if obj.person_id else "–"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def cpr_lookup_target(self, person: Person) -> str:
        changelist = reverse("admin:audit_auditevent_changelist", current_app=self.admin_site.name)
        return f"{changelist}?person__id__exact={person.pk}"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        try:
            return queryset.filter(correlation_id=uuid.UUID(term)), False
        except ValueError:
            pass
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = response.context_data.get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            person = _person_filtered(request)
            audit_record(
                "audit.search",
                acting_user=request.user,
                person=person,
                purpose="Søgning i revisionsspor (administrationsmodulet)",
                details={"source": "admin"},
            )
            # The list names the persons its events are about: one read per person shown, for their report.
            shown = {event.person_id: event.person for event in changelist.result_list if event.person_id}
            audit_read_many(
                "admin.view",
                acting_user=request.user,
                persons=[p for p in shown.values() if person is None or p.pk != person.pk],
                purpose=ADMIN_READ_PURPOSE,
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit_record("admin.view", acting_user=request.user, person=obj.person, obj=obj, purpose=ADMIN_READ_PURPOSE)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


def _person_filtered(request) -> Person | None:
    """The person the list is narrowed to (`?person__id__exact=<uuid>`, set by the CPR look-up), if any."""
    value = request.GET.get("person__id__exact", "")
    try:
        return Person.objects.filter(pk=uuid.UUID(value)).first() if value else None
    except ValueError:
        return None
