"""Form helpers every app's views share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError (its Danish refusal) on the form: keyed errors on their field when the form
    shows it, everything else (unkeyed, or keyed on a field the form lacks or hides) above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if visible else None, errors)
    else:
        form.add_error(None, exc)
