"""The administrator's search in the audit trail (a GET form). Every message is Danish."""

from django import forms

from samarbejde.audit.selectors import organisations_for_filter
from samarbejde.core import dates
from samarbejde.people.cpr import normalize_cpr

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
MSG_DATE = "Skriv en gyldig dato, fx 31-12-2026."
MSG_PERIOD = "Startdatoen skal ligge før eller på slutdatoen."
MSG_ORGANISATION = "Vælg en organisation fra listen."
MSG_TOO_LONG = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


def _text(label: str, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "off"}),
        error_messages={"max_length": MSG_TOO_LONG, "null_characters_not_allowed": "Teksten indeholder ugyldige tegn."},
    )


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[dates.check_searchable],  # year 1 or 9999 overflowed the period's bounds (500)
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": MSG_DATE},
    )


class AuditSearchForm(forms.Form):
    """All filters are optional; `cleaned_data["cpr"]` holds the 10 digits when a CPR was given."""

    cpr = _text("CPR-nummer", 20, help_text="Personen, hændelserne handler om (ddmmåå-xxxx).")
    bruger = _text("Bruger", 150, help_text="Hele eller en del af brugernavnet.")
    organisation = OrganisationChoiceField(
        label="Organisation",
        required=False,
        queryset=organisations_for_filter(),
        to_field_name="code",
        empty_label="Alle organisationer",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": MSG_ORGANISATION},
    )
    handling = _text("Handling", 64, help_text="Fx people.view eller audit.")
    fra = _date("Fra dato")
    til = _date("Til dato")

    def clean_cpr(self) -> str:
        value = self.cleaned_data.get("cpr", "")
        return normalize_cpr(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("fra"), cleaned.get("til")
        if date_from and date_to and date_from > date_to:
            self.add_error("til", MSG_PERIOD)
        return cleaned

    def filters(self) -> dict:
        """The valid filters, named as selectors.audit_search takes them."""
        data = self.cleaned_data
        return {
            "username": data.get("bruger", ""),
            "organisation": data.get("organisation"),
            "action": data.get("handling", ""),
            "date_from": data.get("fra"),
            "date_to": data.get("til"),
        }

    def query_without_cpr(self, person) -> dict[str, str]:
        """The search as URL parameters with the CPR replaced by the person's id (or `cpr_ukendt`), so a CPR
        number never appears in a URL, an access log or a Referer header."""
        data = self.cleaned_data
        query = {
            "bruger": data.get("bruger", ""),
            "organisation": data["organisation"].code if data.get("organisation") else "",
            "handling": data.get("handling", ""),
            "fra": data["fra"].isoformat() if data.get("fra") else "",
            "til": data["til"].isoformat() if data.get("til") else "",
        }
        if data.get("cpr"):
            query.update({"person": str(person.pk)} if person is not None else {"cpr_ukendt": "1"})
        return {key: value for key, value in query.items() if value} or {"alle": "1"}

    def used_filter_names(self) -> list[str]:
        """Which filters were used (names only: the audit event's details never hold the values)."""
        return [name for name in self.fields if self.cleaned_data.get(name)]
