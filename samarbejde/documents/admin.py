"""Public documents in the admin: administrators create a title and upload new versions (PDF only).

Every write goes through documents.services (audited there, in the admin's transaction); versions are shown,
never changed or deleted, and a document is never deleted (switch `published` off instead), so the history of
what was published stays.
"""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from samarbejde.core.admin import AdministratorAdmin, AdministratorInline
from samarbejde.documents.models import PublicDocument, PublicDocumentVersion
from samarbejde.documents.services import (
    PUBLIC_FIELDS,
    public_document_create,
    public_document_update,
    public_document_upload,
)
from samarbejde.documents.uploads import check_pdf, max_bytes


class PublicDocumentForm(forms.ModelForm):
    new_version = forms.FileField(
        label="Ny version (PDF)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={
            "empty": "Den valgte fil er tom. Vælg en PDF-fil med indhold.",
            "invalid": "Vælg en PDF-fil.",
            "missing": "Vælg en PDF-fil.",
        },
    )
    version_note = forms.CharField(
        label="Bemærkning til versionen",
        required=False,
        max_length=300,
        help_text="Fx hvad der er ændret. Vises kun i administrationen.",
        error_messages={"max_length": "Bemærkningen må højst være 300 tegn."},
    )

    class Meta:
        model = PublicDocument
        fields = PUBLIC_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_version"].help_text = (
            f"Kun PDF (.pdf), højst {filesizeformat(max_bytes())}. Filen bliver en ny version; ældre versioner "
            "bevares og kan stadig åbnes."
        )

    def clean_new_version(self):
        upload = self.cleaned_data.get("new_version")
        if upload:
            check_pdf(upload)  # a Danish ValidationError on the field; nothing is stored
        return upload or None


class PublicDocumentVersionInline(AdministratorInline, admin.TabularInline):
    model = PublicDocumentVersion
    read_only = True
    extra = 0
    can_delete = False
    ordering = ("-number",)
    fields = ("number", "open_link", "size_label", "uploaded_at", "uploaded_by", "note", "sha256")
    readonly_fields = fields
    verbose_name = "version"
    verbose_name_plural = "versioner (nyeste først)"

    @admin.display(description="fil")
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.download_name)

    @admin.display(description="størrelse")
    def size_label(self, obj):
        return filesizeformat(obj.size)


@admin.register(PublicDocument)
class PublicDocumentAdmin(AdministratorAdmin):
    form = PublicDocumentForm
    allow_delete = False
    list_display = ("title", "category", "sort_order", "published", "version_count")
    list_filter = ("category", "published")
    search_fields = ("title", "slug", "description")
    ordering = ("category", "sort_order", "title")
    fieldsets = (
        (None, {"fields": ("title", "slug", "category", "description", "availability", "sort_order", "published")}),
        ("Læg en ny version op", {"fields": ("new_version", "version_note")}),
    )
    inlines = (PublicDocumentVersionInline,)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(version_total=Count("versions"))

    @admin.display(description="versioner", ordering="version_total")
    def version_count(self, obj):
        return obj.version_total

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in PUBLIC_FIELDS}
        if change:
            saved = public_document_update(obj, acting_user=request.user, **data)
        else:
            saved = public_document_create(acting_user=request.user, **data)
        # The admin goes on with `obj` (log entry, redirect, inlines): make it the saved row.
        for field in PublicDocument._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db
        upload = form.cleaned_data.get("new_version")
        if upload:
            version = public_document_upload(
                obj, file=upload, note=form.cleaned_data.get("version_note", ""), acting_user=request.user
            )
            messages.success(request, f"Version {version.number} er lagt op og vises nu på /dokumenter/.")
