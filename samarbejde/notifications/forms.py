"""Forms for the inbox: filters, assignment and the answer. Every message is Danish.

The answer form has one group of fields per benefit the notice asks about (from the notice's snapshot):
`<subject>-code`, `<subject>-date` and `<subject>-text`, plus the free text `text`. It validates what a
person can see in the form (a missing decision, a bad date, a date the decision needs); the service
validates again and has the last word.
"""

from django import forms

from samarbejde.notifications import attachments
from samarbejde.notifications.models import DecisionCode, NotificationKind, NotificationStatus
from samarbejde.notifications.services import ANSWER_TEXT_MAX, DECISION_TEXT_MAX, SUBJECT_LABELS

MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
MSG_BAD_DATE = "Skriv en gyldig dato, fx 01.04.2027."
MSG_DATE_RANGE = "Datoen skal ligge mellem år 1990 og 2100."

# The decisions offered for a benefit, in the order a case worker meets them.
DECISION_CHOICES = [
    (DecisionCode.STOPPED.value, "Standset pr. dato"),
    (DecisionCode.CONTINUED.value, "Fortsætter"),
    (DecisionCode.RENT_COVERED.value, "Husleje dækkes til dato"),
    (DecisionCode.NO_BENEFIT.value, "Ingen ydelse"),
    (DecisionCode.OTHER.value, "Andet"),
]
CODES_NEEDING_DATE = frozenset({DecisionCode.STOPPED, DecisionCode.RENT_COVERED})


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": MSG_BAD_DATE, "required": f"Udfyld {label.lower()}."},
    )


class InboxFilterForm(forms.Form):
    """The inbox filters; an invalid value is reported and the filter ignored."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Alle"), *NotificationStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en status fra listen."},
    )
    afdeling = forms.ChoiceField(
        label="Afdeling",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en afdeling fra listen."},
    )
    frist_foer = _date_field("Frist senest")

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["afdeling"].choices = [("", "Alle afdelinger"), *((d.kind, d.name) for d in departments)]

    def filters(self) -> dict:
        if not self.is_bound:
            return {"status": "", "department_kind": "", "due_before": None}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status", "") if "status" not in self.errors else "",
            "department_kind": data.get("afdeling", "") if "afdeling" not in self.errors else "",
            "due_before": data.get("frist_foer") if "frist_foer" not in self.errors else None,
        }


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Tildel til",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en kollega fra listen."},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in members}
        self.fields["assignee"].choices = [
            ("", "Ingen"),
            *((pk, user.display_name) for pk, user in self.members.items()),
        ]

    @property
    def chosen(self):
        return self.members.get(self.cleaned_data.get("assignee") or "")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files in one input. Cleaning returns the list of uploads after notifications.attachments has
    checked them (type and content, size, number), so its Danish messages show at the field."""

    widget = MultipleFileInput

    def to_python(self, data):
        if not data:
            return []
        return [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if value:
            try:
                attachments.check_files(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["files"]) from None


def files_help_text() -> str:
    return (
        f"Du kan vedhæfte op til {attachments.max_files()} filer på højst {attachments.max_mb_label()} MB hver. "
        f"Tilladte typer: {attachments.ALLOWED_LABEL}."
    )


class AnswerForm(forms.Form):
    """The answer to a notice: a decision per benefit (benefits requests) and a free text."""

    text = forms.CharField(
        label="Bemærkning",
        required=False,
        max_length=ANSWER_TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 4}),
        help_text=f"Højst {ANSWER_TEXT_MAX} tegn. Vises for Kriminalforsorgen.",
        error_messages={
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )

    def __init__(self, *args, notification, **kwargs):
        super().__init__(*args, **kwargs)
        self.notification = notification
        self.subjects = self.subjects_for(notification)
        for subject in self.subjects:
            label = SUBJECT_LABELS.get(subject, subject).lower()
            self.fields[f"{subject}-code"] = forms.ChoiceField(
                label="Afgørelse",
                choices=[("", "Vælg afgørelse"), *DECISION_CHOICES],
                widget=forms.Select(attrs={"class": "form-select"}),
                error_messages={
                    "required": f"Vælg en afgørelse for {label}.",
                    "invalid_choice": f"Vælg en afgørelse for {label} fra listen.",
                },
            )
            date_field = _date_field(
                "Dato", help_text="Skal udfyldes ved »Standset pr. dato« og »Husleje dækkes til dato«."
            )
            date_field.error_messages["invalid"] = f"Datoen for {label} er ikke en gyldig dato. Skriv fx 01.04.2027."
            self.fields[f"{subject}-date"] = date_field
            self.fields[f"{subject}-text"] = forms.CharField(
                label="Uddybning",
                required=False,
                max_length=DECISION_TEXT_MAX,
                widget=forms.TextInput(attrs={"class": "form-input"}),
                error_messages={"max_length": MSG_MAX_LENGTH},
            )
        self.takes_files = notification.kind == NotificationKind.CASE_FILES_REQUEST
        if self.takes_files:
            self.fields["text"].label = "Svar"
            self.fields["files"] = MultipleFileField(
                label="Sagsakter",
                required=False,
                help_text=files_help_text(),
                widget=MultipleFileInput(attrs={"class": "form-input", "multiple": True, "accept": attachments.ACCEPT}),
            )
        elif not self.subjects:
            self.fields["text"].label = "Svar"
            self.fields["text"].required = True
            self.fields["text"].error_messages["required"] = "Skriv et svar, før du sender det."

    @staticmethod
    def subjects_for(notification) -> list[str]:
        if notification.kind == NotificationKind.BENEFITS_DECISION_REQUEST:
            return [s for s in notification.snapshot.get("benefits") or [] if s in SUBJECT_LABELS]
        return []

    def groups(self):
        """(subject label, [code, date, text bound fields]) per benefit, for the template."""
        return [(SUBJECT_LABELS[s], [self[f"{s}-code"], self[f"{s}-date"], self[f"{s}-text"]]) for s in self.subjects]

    def clean(self):
        cleaned = super().clean()
        if (
            self.takes_files
            and not cleaned.get("text")
            and not cleaned.get("files")
            and not self.has_error("text")
            and not self.has_error("files")
        ):
            self.add_error("text", "Skriv et svar, eller vedhæft sagsakterne, før du sender svaret.")
        for subject in self.subjects:
            label = SUBJECT_LABELS[subject].lower()
            code = cleaned.get(f"{subject}-code")
            when = cleaned.get(f"{subject}-date")
            if when is not None and not (1990 <= when.year <= 2100):
                self.add_error(f"{subject}-date", MSG_DATE_RANGE)
            if code in CODES_NEEDING_DATE and when is None and f"{subject}-date" not in self.errors:
                self.add_error(f"{subject}-date", f"Angiv datoen for afgørelsen om {label}.")
            if (
                code == DecisionCode.OTHER
                and not cleaned.get(f"{subject}-text")
                and f"{subject}-text" not in self.errors
            ):
                self.add_error(f"{subject}-text", f"Uddyb afgørelsen om {label}, når du vælger »Andet«.")
        return cleaned

    def decisions(self) -> dict:
        return {
            subject: {
                "code": self.cleaned_data[f"{subject}-code"],
                "effective_date": self.cleaned_data.get(f"{subject}-date"),
                "text": self.cleaned_data.get(f"{subject}-text", ""),
            }
            for subject in self.subjects
        }
