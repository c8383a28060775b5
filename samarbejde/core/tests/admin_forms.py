"""Helpers for tests that post to Django's admin: URLs by model and view, and a form resubmitted as rendered."""

from django import forms
from django.urls import reverse


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """POST data that resubmits an admin change form as rendered, inline formsets included."""

    def values(form, prefix=""):
        data = {}
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            name = bound.html_name
            if isinstance(bound.field, forms.MultiValueField):  # e.g. a date and a time input
                widgets = bound.field.widget.widgets
                parts = value if isinstance(value, list) else bound.field.widget.decompress(value)
                for index, (widget, part) in enumerate(zip(widgets, parts, strict=True)):
                    if part is not None:
                        data[f"{name}_{index}"] = widget.format_value(part)
            elif isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            elif value is not None:
                data[name] = str(value)
        return data

    context = response.context
    data = values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({bound.html_name: bound.value() for bound in formset.management_form})
        for form in formset.forms:
            data.update(values(form))
    return data


def form_errors(response) -> dict:
    """The errors of a re-rendered admin page: the main form's, then each inline form's by prefix."""
    errors = dict(response.context["adminform"].form.errors)
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.errors:
                errors[form.prefix] = dict(form.errors)
    return errors
