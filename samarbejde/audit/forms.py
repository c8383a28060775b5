"""The administrator's search in the audit trail (a GET form). Every message is Danish."""

from django import forms

from samarbejde.audit import selectors
from samarbejde.audit.selectors import organisations_for_filter
from samarbejde.core import dates
from samarbejde.people.cpr import normalize_cpr

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
MSG_DATE = "Skriv en gyldig dato, fx 31-12-2026."
MSG_PERIOD = "Startdatoen skal ligge før eller på slutdatoen."
MSG_ORGANISATION = "Vælg en organisation fra listen."
MSG_TOO_LONG = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
MSG_UNKNOWN_ACTION = (
    "Ingen handling passer til »%(text)s«. Skriv en handlingskode som people.view, begyndelsen af en som people, "
    "eller et ord fra handlingens navn, eller vælg fra listen."
)
MSG_TOO_MANY_ACTIONS = "»%(text)s« passer til %(count)d handlinger. Skriv mere præcist, eller vælg én fra listen."
MSG_UNKNOWN_USER = "Ingen bruger har et brugernavn, der indeholder »%(text)s«."
MSG_TOO_MANY_USERS = "For mange brugere har »%(text)s« i brugernavnet. Skriv mere af brugernavnet."
MSG_TOO_BROAD = "Søgningen passer til for mange kombinationer af handlinger og brugere. Skriv mere præcist."


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
    handling = _text(
        "Handling",
        64,
        help_text="En handlingskode (fx people.view), begyndelsen af en (fx audit) eller et ord fra listen.",
    )
    fra = _date("Fra dato")
    til = _date("Til dato")

    def clean_cpr(self) -> str:
        value = self.cleaned_data.get("cpr", "")
        return normalize_cpr(value) if value else ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The known actions as suggestions (a <datalist> the template renders): typing still works.
        self.fields["handling"].widget.attrs["list"] = "handlinger"
        self.actions: list[str] = []
        self.actor_ids: list | None = None
        self.include_system = False

    @staticmethod
    def action_choices() -> list[tuple[str, str]]:
        return sorted(selectors.ACTION_LABELS.items())

    def clean_handling(self) -> str:
        """The text as typed; the actions it stands for in self.actions (selectors.actions_matching)."""
        text = self.cleaned_data.get("handling", "").strip()
        if not text:
            return ""
        actions = selectors.actions_matching(text)
        if not actions:
            raise forms.ValidationError(MSG_UNKNOWN_ACTION, params={"text": text})
        if len(actions) > selectors.MAX_PARTS:
            raise forms.ValidationError(MSG_TOO_MANY_ACTIONS, params={"text": text, "count": len(actions)})
        self.actions = actions
        return text

    def clean_bruger(self) -> str:
        """The text as typed; the users whose username contains it in self.actor_ids (one query)."""
        text = self.cleaned_data.get("bruger", "").strip()
        if not text:
            return ""
        actor_ids = selectors.users_matching(text)
        include_system = selectors.system_matches(text)
        if not actor_ids and not include_system:
            raise forms.ValidationError(MSG_UNKNOWN_USER, params={"text": text})
        if len(actor_ids) > selectors.MAX_PARTS:
            raise forms.ValidationError(MSG_TOO_MANY_USERS, params={"text": text})
        self.actor_ids, self.include_system = actor_ids, include_system
        return text

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("fra"), cleaned.get("til")
        if date_from and date_to and date_from > date_to:
            self.add_error("til", MSG_PERIOD)
        users = len(self.actor_ids or []) + self.include_system
        if max(len(self.actions), 1) * max(users, 1) > selectors.MAX_PARTS:
            raise forms.ValidationError(MSG_TOO_BROAD)
        return cleaned

    def filters(self) -> dict:
        """The valid filters, named as selectors.audit_search takes them."""
        data = self.cleaned_data
        return {
            "actor_ids": self.actor_ids,
            "include_system": self.include_system,
            "organisation": data.get("organisation"),
            "actions": self.actions,
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
