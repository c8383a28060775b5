"""The legal catalogue: administrators add acts and their paragraphs (the `legal.manage` capability)."""

from django.contrib import admin

from samarbejde.core.admin import AdministratorAdmin, AdministratorInline
from samarbejde.legal.models import Act, Paragraph
from samarbejde.organisations.roles import Cap


class ParagraphInline(AdministratorInline, admin.TabularInline):
    capability = Cap.LEGAL_MANAGE
    model = Paragraph
    extra = 1
    fields = ("reference", "summary", "sort_order")


@admin.register(Act)
class ActAdmin(AdministratorAdmin):
    capability = Cap.LEGAL_MANAGE
    list_display = ("short_name", "kind", "number", "issued_on", "is_verified", "sort_order")
    list_filter = ("kind", "is_verified")
    search_fields = ("short_name", "title", "number")
    ordering = ("sort_order", "short_name")
    inlines = (ParagraphInline,)


@admin.register(Paragraph)
class ParagraphAdmin(AdministratorAdmin):
    capability = Cap.LEGAL_MANAGE
    list_display = ("__str__", "act", "reference", "summary", "sort_order")
    list_filter = ("act",)
    search_fields = ("reference", "summary", "act__short_name")
    list_select_related = ("act",)
    autocomplete_fields = ("act",)
