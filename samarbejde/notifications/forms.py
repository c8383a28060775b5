"""Forms for the inbox: filters, assignment and the answer. Every message is Danish.

The answer form has one group of fields per subject the notice's rule asks about (from the notice's snapshot):
`<subject>-code`, `<subject>-date` and `<subject>-text`, plus the free text `text`. Which decisions are offered,
which need a date or a text, and the window a date must lie in are the rule's (notifications.registry); the
form's clean() runs the same check the service runs (notifications.answers), so they never disagree.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from samarbejde.core import dates
from samarbejde.notifications import attachments
from samarbejde.notifications.answers import ANSWER_TEXT_MAX, DECISION_TEXT_MAX
from samarbejde.notifications.codes import NotificationKind
from samarbejde.notifications.models import NotificationStatus

MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
MSG_BAD_DATE = "Skriv en gyldig dato, fx 01.04.2027."


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
        choices=[
            ("", "Alle"),
            *((v, label) for v, label in NotificationStatus.choices if v != NotificationStatus.WITHDRAWN),
        ],
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
    frist_foer.validators.append(dates.check_searchable)  # a possible year (9999 or year 1: no 500)

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
    """The answer to a notice, built from its rule (notifications.registry): a group of fields per subject
    (benefit, pension, rent) with the decisions that rule offers for it, a free text, and files when the rule
    takes them. Its clean() hands the values to notifications.answers.check_answer, the same check the service
    and the API use, and shows each message at its field."""

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
        self.notice_type = notification.notice_type
        spec = self.notice_type.answer if self.notice_type is not None else None
        self.spec = spec
        self.subjects = spec.subjects(notification.snapshot) if spec is not None else []
        for subject in self.subjects:
            label = spec.subject_label(subject).lower()
            options = spec.options_for(subject)
            self.fields[f"{subject}-code"] = forms.ChoiceField(
                label="Afgørelse",
                required=False,  # check_answer says which subjects need a decision
                choices=[("", "Vælg afgørelse"), *((o.code, o.label) for o in options)],
                widget=forms.Select(attrs={"class": "form-select"}),
                error_messages={"invalid_choice": f"Vælg en afgørelse for {label} fra listen."},
            )
            dated = [o.label for o in options if o.needs_date]
            date_help = "Skal udfyldes ved " + " og ".join(f"»{d}«" for d in dated) + "." if dated else "Valgfri."
            date_field = _date_field("Dato", help_text=date_help)
            date_field.error_messages["invalid"] = f"Datoen for {label} er ikke en gyldig dato. Skriv fx 01.04.2027."
            self.fields[f"{subject}-date"] = date_field
            self.fields[f"{subject}-text"] = forms.CharField(
                label="Uddybning",
                required=False,
                max_length=DECISION_TEXT_MAX,
                widget=forms.TextInput(attrs={"class": "form-input"}),
                error_messages={"max_length": MSG_MAX_LENGTH},
            )
        self.takes_files = bool(spec and spec.files)
        if self.takes_files:
            self.fields["text"].label = "Svar"
            self.fields["files"] = MultipleFileField(
                label="Sagsakter" if notification.kind == NotificationKind.CASE_FILES_REQUEST else "Filer",
                required=False,
                help_text=files_help_text(),
                widget=MultipleFileInput(attrs={"class": "form-input", "multiple": True, "accept": attachments.ACCEPT}),
            )
        elif not self.subjects:
            self.fields["text"].label = "Svar"

    def groups(self):
        """(subject label, [code, date, text bound fields]) per subject, for the template."""
        return [
            (self.spec.subject_label(s), [self[f"{s}-code"], self[f"{s}-date"], self[f"{s}-text"]])
            for s in self.subjects
        ]

    def clean(self):
        cleaned = super().clean()
        from samarbejde.notifications.answers import check_answer

        try:
            check_answer(
                self.notification,
                decisions=self.decisions_from(cleaned),
                text=cleaned.get("text", ""),
                # Files already refused by the field are not checked twice.
                files=cleaned.get("files") or () if not self.has_error("files") else (),
            )
        except forms.ValidationError as exc:
            for key, errors in exc.error_dict.items():
                target = None if key == NON_FIELD_ERRORS else key
                if target is not None and target not in self.fields:
                    target = None
                if target is not None and self.has_error(target):
                    continue  # the field already says what is wrong with it
                self.add_error(target, errors)
        return cleaned

    def decisions_from(self, cleaned) -> dict:
        """The decisions as the service takes them: only subjects with a chosen code (a subject left empty is
        what check_answer reports as missing). A decision posted for a subject the notice is not about (no such
        field in the form) is passed on too, so it is refused here as the service and the API refuse it."""
        from samarbejde.notifications.registry import SUBJECT_LABELS

        decisions = {
            key.removesuffix("-code"): {"code": value}
            for key, value in self.data.items()
            if key.endswith("-code") and key.removesuffix("-code") in SUBJECT_LABELS and key not in self.fields
        }
        for subject in self.subjects:
            code = cleaned.get(f"{subject}-code")
            if code or self.has_error(f"{subject}-code"):
                decisions[subject] = {
                    "code": code or self.data.get(f"{subject}-code"),
                    "effective_date": cleaned.get(f"{subject}-date") if not self.has_error(f"{subject}-date") else None,
                    "text": cleaned.get(f"{subject}-text", ""),
                }
        return decisions

    def decisions(self) -> dict:
        return self.decisions_from(self.cleaned_data)


class WithdrawForm(forms.Form):
    """KRFO withdraws a notice sent by mistake: the reason is required and shown to the recipient."""

    reason = forms.CharField(
        label="Begrundelse",
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        help_text=(
            "Fx »Sendt til den forkerte kommune«. Begrundelsen vises for modtageren, som ikke længere kan se "
            "personen: skriv ingen personoplysninger. Højst 1000 tegn."
        ),
        error_messages={
            "required": "Skriv en begrundelse for, at underretningen trækkes tilbage.",
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )
