"""Persons and their live links. Personal data: every admin read and write is audited; persons are never deleted.

Writes go through people.services (person_register, person_update, person_link_extend, person_link_close), so
the admin has the services' guards and domain audit actions; see samarbejde/core/admin.py ServiceAdminMixin.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse

from samarbejde.core.admin import ADMIN_PURPOSE, CprLookupAdminMixin, PersonalDataAdmin, ServiceAdminMixin
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person, PersonLink
from samarbejde.people.services import (
    person_link_close,
    person_link_extend,
    person_links_close_for_organisation,
    person_register,
    person_update,
)


class CprField(forms.CharField):
    """Accepts "ddmmåå-xxxx" (wider than the stored 10 digits) and cleans to the 10 digits with Danish messages.

    Normalising in to_python also keeps `changed_data` right: "010190-1234" equals the stored "0101901234".
    """

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_cpr(value) if value else value


class PersonAdminForm(forms.ModelForm):
    cpr = CprField(label="CPR-nummer", max_length=20, help_text="10 cifre, fx 010190-1234.")

    class Meta:
        model = Person
        fields = ("cpr", "first_name", "last_name", "address", "home_municipality")

    def validate_unique(self):
        """The service checks that the CPR number is unique, with a message that says what to do instead."""


@admin.register(Person)
class PersonAdmin(CprLookupAdminMixin, ServiceAdminMixin, PersonalDataAdmin):
    """Search by name (`?q=`); by CPR number only through the POSTed look-up, which opens the person's page. The
    list shows the birth date part only."""

    form = PersonAdminForm
    allow_delete = False
    list_display = ("full_name", "cpr_masked", "home_municipality", "created_at")
    list_select_related = ("home_municipality",)
    search_fields = ("first_name", "last_name")
    search_help_text = "Søg på navn. Brug feltet »Find person på CPR-nummer« for at finde en person på CPR-nummer."
    autocomplete_fields = ("home_municipality",)
    ordering = ("last_name", "first_name")

    @admin.display(description="navn", ordering="last_name")
    def full_name(self, obj: Person) -> str:
        return obj.full_name

    @admin.display(description="CPR-nummer")
    def cpr_masked(self, obj: Person) -> str:
        return obj.cpr_masked

    def cpr_lookup_target(self, person: Person) -> str:
        return reverse("admin:people_person_change", args=[person.pk], current_app=self.admin_site.name)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "cpr": data["cpr"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "address": data.get("address", ""),
            "home_municipality": data.get("home_municipality"),
        }
        if change:
            return person_update(obj, **fields, acting_user=request.user, purpose=ADMIN_PURPOSE)
        return person_register(**fields, acting_user=request.user, purpose=ADMIN_PURPOSE)


class PersonLinkAdminForm(forms.ModelForm):
    close = forms.BooleanField(
        label="Afslut henvendelsen nu",
        required=False,
        help_text="Organisationen kan ikke længere se personen gennem denne henvendelse.",
    )
    close_all = forms.BooleanField(
        label="Afslut alle organisationens aktive henvendelser om personen",
        required=False,
        help_text="Organisationen mister al adgang til personen (alle underretninger og sager om personen).",
    )

    class Meta:
        model = PersonLink
        fields = ("expires_at",)
        help_texts = {"expires_at": "Ret, hvornår henvendelsen udløber. Datoen skal ligge i fremtiden."}


@admin.register(PersonLink)
class PersonLinkAdmin(ServiceAdminMixin, PersonalDataAdmin):
    """Links are opened by the flows that address an organisation; here they can only be ended or their expiry
    changed (person_link_close, person_link_extend)."""

    form = PersonLinkAdminForm
    allow_add = False
    allow_delete = False
    list_display = ("person", "organisation", "reason", "opened_at", "expires_at", "closed_at", "live")
    list_filter = ("reason", "organisation__kind")
    search_fields = ("person__first_name", "person__last_name", "organisation__name", "organisation__code")
    list_select_related = ("person", "organisation")
    readonly_fields = (
        "person",
        "organisation",
        "department",
        "reason",
        "source_type",
        "source_id",
        "granted_to",
        "justification",
        "opened_at",
        "closed_at",
        "close_rule",
    )
    fields = (*readonly_fields, "expires_at", "close", "close_all")
    ordering = ("-opened_at",)

    def has_change_permission(self, request, obj=None) -> bool:
        """A closed link is history: shown, not changed."""
        return super().has_change_permission(request, obj) and (obj is None or obj.closed_at is None)

    def save_through_service(self, request, obj, form, change):
        link = obj
        if "expires_at" in form.changed_data:
            link = person_link_extend(
                obj, expires_at=form.cleaned_data["expires_at"], acting_user=request.user, purpose=ADMIN_PURPOSE
            )
        if form.cleaned_data.get("close"):
            link = person_link_close(obj, acting_user=request.user, purpose=ADMIN_PURPOSE)
        if form.cleaned_data.get("close_all"):
            person_links_close_for_organisation(
                obj.person, organisation=obj.organisation, acting_user=request.user, purpose=ADMIN_PURPOSE
            )
            link.refresh_from_db()
        return link

    @admin.display(description="aktiv", boolean=True)
    def live(self, obj: PersonLink) -> bool:
        return obj.is_live
