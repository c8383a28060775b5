"""The legal catalogue: administrators add acts and their paragraphs (the `legal.manage` capability)."""

from django.contrib import admin

from samarbejde.core.admin import AdministratorAdmin, AdministratorInline
from samarbejde.legal.models import Act, Paragraph
from samarbejde.organisations.roles import Cap


class ParagraphInline(AdministratorInline, admin.TabularInline):
    capability = Cap.LEGAL_MANAGE
    model = Paragraph
    extra = 1
    fields = ("reference", "summary", "sort_order", "key")
    readonly_fields = ("key",)  # set from the act's key and the reference when first saved


@admin.register(Act)
class ActAdmin(AdministratorAdmin):
    capability = Cap.LEGAL_MANAGE
    list_display = ("short_name", "kind", "number", "issued_on", "is_verified", "sort_order")
    list_filter = ("kind", "is_verified")
    search_fields = ("short_name", "title", "number")
    ordering = ("sort_order", "short_name")
    inlines = (ParagraphInline,)

    def get_readonly_fields(self, request, obj=None):
        # The key is chosen when the act is added and never changed: rules cite it.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "key") if obj is not None and "key" not in readonly else readonly


@admin.register(Paragraph)
class ParagraphAdmin(AdministratorAdmin):
    capability = Cap.LEGAL_MANAGE
    list_display = ("__str__", "act", "reference", "summary", "sort_order")
    list_filter = ("act",)
    search_fields = ("reference", "summary", "act__short_name")
    list_select_related = ("act",)
    autocomplete_fields = ("act",)
    readonly_fields = ("key",)
