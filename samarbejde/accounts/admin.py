"""Users and their memberships (organisation + role) in the admin.

Access comes from memberships, not from Django groups or per-model permissions, so those are left out.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UsernameField
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.accounts.models import User
from samarbejde.accounts.services import enrolment_code_issue
from samarbejde.core.admin import AdministratorAdmin, AdministratorInline, ServiceInlineMixin, ServiceRefusalMixin
from samarbejde.organisations.admin import MembershipAdminForm, save_membership_formset
from samarbejde.organisations.models import Membership

# Groups are not used: what a user may do follows from memberships (organisation + role).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")
        field_classes = {"username": UsernameField}


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}


class MembershipInline(ServiceInlineMixin, AdministratorInline, admin.TabularInline):
    """Written row by row through organisations.services (see UserAdmin.save_formset)."""

    model = Membership
    form = MembershipAdminForm
    fk_name = "user"
    extra = 0
    fields = ("organisation", "department", "role", "is_active")
    autocomplete_fields = ("organisation", "department")
    verbose_name = "tilknytning"
    verbose_name_plural = "tilknytninger (organisation og rolle)"


@admin.register(User)
class UserAdmin(ServiceRefusalMixin, AdministratorAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personlige oplysninger", {"fields": ("first_name", "last_name", "email", "title", "phone")}),
        (
            "Adgang",
            {
                "fields": ("is_active", "is_staff"),
                "description": "Hvad brugeren må, følger af tilknytningerne nedenfor (organisation og rolle). "
                "Administratorer skal også have adgang til administrationsmodulet (is_staff).",
            },
        ),
        ("Vigtige datoer", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "memberships__role", "memberships__organisation__kind")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    filter_horizontal = ()
    inlines = (MembershipInline,)
    actions = ["issue_enrolment_code"]

    def get_inlines(self, request, obj):
        """Memberships are added on the change page that follows "Gem" on the (two-step) add page."""
        return self.inlines if obj is not None else ()

    def save_formset(self, request, form, formset, change):
        """Memberships through organisations.services (which also give administrators is_staff); a refusal
        rolls the whole page back, the user's own fields included."""
        if formset.model is Membership:
            save_membership_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description="Opret tilmeldingskode til totrinsbekræftelse (vises én gang)")
    def issue_enrolment_code(self, request, queryset):
        """A one-time enrolment code per selected user (accounts.services.enrolment_code_issue), shown once."""
        for user in queryset.order_by("username"):
            try:
                code, raw = enrolment_code_issue(user, acting_user=request.user, via="admin")
            except ValidationError as refused:
                messages.error(request, f"{user.username}: {' '.join(refused.messages)}")
                continue
            until = date_format(timezone.localtime(code.expires_at), "DATETIME_FORMAT")
            messages.warning(
                request,
                f"Tilmeldingskode til {user.username}: {raw} (gælder til {until} og kan bruges én gang). "
                "Koden vises kun denne ene gang: giv den til brugeren ad en sikker vej, ikke sammen med "
                "adgangskoden.",
            )
