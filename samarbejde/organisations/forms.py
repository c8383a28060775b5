"""Forms for the directory change-request flow. Every message is Danish; lengths follow the model."""

from django import forms

from samarbejde.organisations.models import MUNICIPAL_FUNCTIONS, ChangeRequestStatus, Contact
from samarbejde.organisations.services import MSG_REASON_REQUIRED, REASON_MAX_LENGTH

NEW_CONTACT = "ny"

MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
MSG_CHOOSE_CONTACT = "Vælg en af kommunens kontakter, eller vælg ny kontakt."
MSG_CHOOSE_FUNCTION = "Vælg hvilken funktion den nye kontakt har."


def _text(label: str, max_length: int, *, required: bool = False, textarea: bool = False, help_text: str = ""):
    """A stripped text field with Danish messages; the textarea variant for the longer texts."""
    attrs = {"class": "form-input"}
    widget = forms.Textarea(attrs={**attrs, "rows": 5}) if textarea else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        help_text=help_text,
        error_messages={
            "max_length": MSG_MAX_LENGTH,
            "required": f"Udfyld {label.lower()}.",
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )


class ChangeRequestForm(forms.Form):
    """A proposal for one contact of a municipality, or for a new contact with a chosen function.

    `contact` is the chosen contact's id or NEW_CONTACT; only the municipality's own contacts are valid.
    """

    contact = forms.ChoiceField(
        label="Kontakt",
        widget=forms.HiddenInput,
        error_messages={"required": MSG_CHOOSE_CONTACT, "invalid_choice": MSG_CHOOSE_CONTACT},
    )
    function = forms.ChoiceField(
        label="Funktion",
        required=False,
        choices=[("", "Vælg funktion"), *((f.value, f.label) for f in MUNICIPAL_FUNCTIONS)],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": MSG_CHOOSE_FUNCTION},
    )
    unit_name = _text("Enhed", 200, required=True, help_text="Fx Jobcentret, team for løsladte.")
    person_name = _text("Kontaktperson", 200)
    address = _text("Adresse", 300)
    secure_mailbox = forms.EmailField(
        label="Sikker postkasse",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "form-input"}),
        error_messages={
            "invalid": "Skriv en gyldig e-mailadresse, fx loesladelse@kommune.dk.",
            "max_length": MSG_MAX_LENGTH,
        },
    )
    phone = _text("Telefon", 40)
    opening_hours = _text("Åbningstid", 200)
    notes = _text("Bemærkninger", 1000, textarea=True, help_text="Højst 1000 tegn.")
    message = _text(
        "Begrundelse for forslaget",
        2000,
        textarea=True,
        help_text="Skriv fx hvorfor kontakten er ændret. Højst 2000 tegn. Vises for administratoren.",
    )

    def __init__(self, *args, contacts: list[Contact], **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {str(contact.pk): contact for contact in contacts}
        self.fields["contact"].choices = [*((pk, str(c)) for pk, c in self.contacts.items()), (NEW_CONTACT, "Ny")]
        if self.is_new_contact:
            self.fields["function"].required = True
            self.fields["function"].error_messages["required"] = MSG_CHOOSE_FUNCTION

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("contact")
        if choice and choice != NEW_CONTACT:
            cleaned["function"] = self.contacts[choice].function
        elif choice == NEW_CONTACT and not cleaned.get("function") and "function" not in self.errors:
            self.add_error("function", MSG_CHOOSE_FUNCTION)
        return cleaned

    @property
    def is_new_contact(self) -> bool:
        return self.contact_choice == NEW_CONTACT

    @property
    def contact_choice(self) -> str:
        if self.is_bound:
            return str(self.data.get("contact", ""))
        return str(self.initial.get("contact", ""))

    @property
    def chosen_contact(self) -> Contact | None:
        return self.contacts.get(self.cleaned_data.get("contact", ""))

    def proposed_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in Contact.EDITABLE_FIELDS}

    def editable_fields(self):
        return [self[name] for name in Contact.EDITABLE_FIELDS]

    @classmethod
    def initial_for(cls, choice: str, contact: Contact | None) -> dict:
        initial = {"contact": choice}
        if contact is not None:
            initial.update(contact.snapshot())
        return initial


class ReviewForm(forms.Form):
    """An administrator's decision: approve or reject (with a reason; required when rejecting)."""

    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label="Afgørelse",
        choices=[(APPROVE, "Godkend"), (REJECT, "Afvis")],
        widget=forms.HiddenInput,
        error_messages={"required": "Vælg Godkend eller Afvis.", "invalid_choice": "Vælg Godkend eller Afvis."},
    )
    reason = _text(
        "Begrundelse for afgørelsen",
        REASON_MAX_LENGTH,
        textarea=True,
        help_text="Skal udfyldes ved afvisning. Vises for forslagsstilleren.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("reason") and "reason" not in self.errors:
            self.add_error("reason", MSG_REASON_REQUIRED)
        return cleaned


class ChangeRequestFilterForm(forms.Form):
    """Filters on the list page; an invalid value is reported and ignored."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Alle"), *ChangeRequestStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en status fra listen."},
    )
    kommune = forms.ChoiceField(
        label="Kommune",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en kommune fra listen."},
    )

    def __init__(self, *args, municipalities: list[tuple[str, str]] | None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is None:
            del self.fields["kommune"]
        else:
            self.fields["kommune"].choices = [("", "Alle kommuner"), *municipalities]

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"status": "", "municipality_code": ""}
        return {
            "status": self.cleaned_data.get("status", ""),
            "municipality_code": self.cleaned_data.get("kommune", ""),
        }


DEFAULT_ROUTING = "standard"


class RouteChangeForm(forms.Form):
    """A proposal for one line of a municipality's routing table: which notices, (for which benefit or pension),
    to which of the municipality's units; "standard" removes the line so the default routing applies."""

    topic = forms.ChoiceField(
        label="Underretninger om",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": "Vælg, hvilke underretninger fordelingen gælder.",
            "invalid_choice": "Vælg fra listen.",
        },
    )
    subject = forms.ChoiceField(
        label="Når borgeren modtager",
        required=False,
        help_text="Kun for ydelser og pension. Lad feltet stå tomt for at gælde alle.",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg fra listen."},
    )
    department = forms.ChoiceField(
        label="Modtagende enhed",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": "Vælg en af kommunens enheder.", "invalid_choice": "Vælg en af kommunens enheder."},
    )
    note = _text("Bemærkning", 300, help_text="Fx hvilke borgere enheden dækker. Højst 300 tegn.")
    message = _text(
        "Begrundelse for forslaget",
        2000,
        textarea=True,
        help_text="Skriv fx hvorfor fordelingen er ændret. Højst 2000 tegn. Vises for administratoren.",
    )

    def __init__(self, *args, departments, **kwargs):
        from samarbejde.organisations.routing import routing_topics

        super().__init__(*args, **kwargs)
        topics = routing_topics()
        self.fields["topic"].choices = [("", "Vælg"), *((t.value, t.label) for t in topics)]
        subjects = {value: label for t in topics for value, label in t.subjects}
        self.fields["subject"].choices = [("", "Alle"), *subjects.items()]
        self.departments = {str(d.pk): d for d in departments}
        self.fields["department"].choices = [
            ("", "Vælg enhed"),
            *((pk, d.name) for pk, d in self.departments.items()),
            (DEFAULT_ROUTING, "Standardfordelingen (fjern kommunens linje)"),
        ]

    @property
    def chosen_department(self):
        return self.departments.get(self.cleaned_data.get("department", ""))
