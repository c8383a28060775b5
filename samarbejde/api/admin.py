"""API keys in the admin: create (the key is shown once, as a message), revoke; never deleted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from samarbejde.api.models import ApiKey, ApiScope
from samarbejde.api.services import api_key_create, api_key_revoke, clean_scopes
from samarbejde.core.admin import AdministratorAdmin


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="Rettigheder", choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ("organisation", "name", "scopes", "expires_at")

    def clean_scopes(self):
        try:
            return clean_scopes(self.cleaned_data.get("scopes"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


@admin.register(ApiKey)
class ApiKeyAdmin(AdministratorAdmin):
    form = ApiKeyForm
    allow_delete = False
    list_display = ("prefix", "name", "organisation", "scopes", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "organisation__name", "organisation__code")
    list_select_related = ("organisation",)
    readonly_fields = ("prefix", "revoked_at", "last_used_at", "created_by", "created_at")
    autocomplete_fields = ()
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.readonly_fields, "organisation", "scopes")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organisation", "name", "scopes", "expires_at")
        return ("prefix", "organisation", "name", "scopes", "expires_at", "revoked_at", "last_used_at", "created_by")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, raw = api_key_create(
            form.cleaned_data["organisation"],
            scopes=form.cleaned_data["scopes"],
            name=form.cleaned_data.get("name", ""),
            acting_user=request.user,
        )
        if form.cleaned_data.get("expires_at"):
            key.expires_at = form.cleaned_data["expires_at"]
            key.save(update_fields=["expires_at", "updated_at"])
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding = False
        obj._state.db = key._state.db
        messages.warning(request, f"Kopiér API-nøglen nu. Den vises kun denne ene gang og kan ikke findes igen: {raw}")

    @admin.action(description="Tilbagekald de valgte API-nøgler")
    def revoke(self, request, queryset):
        count = 0
        for key in queryset:
            if key.revoked_at is None:
                api_key_revoke(key, acting_user=request.user)
                count += 1
        messages.success(request, f"{count} API-nøgle(r) tilbagekaldt.")
