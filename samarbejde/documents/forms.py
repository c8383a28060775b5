from django import forms

from samarbejde.documents.models import FormKind, FormStatus
from samarbejde.people.cpr import normalize_cpr

TEXT = {"class": "form-input"}


class InmateFormForm(forms.Form):
    kind = forms.ChoiceField(
        label="Blanket",
        choices=FormKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": "Vælg en blanket."},
    )
    reason = forms.CharField(
        label="Begrundelse",
        required=False,
        max_length=1000,
        help_text="Fx at den indsatte ikke har adgang til sin digitale postkasse under opholdet.",
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        error_messages={"max_length": "Begrundelsen må højst være 1000 tegn."},
    )
    relative_name = forms.CharField(
        label="Den pårørendes navn",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text="Kun ved læseadgang for en pårørende.",
    )
    relative_cpr = forms.CharField(
        label="Den pårørendes CPR-nummer",
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs=TEXT),
        help_text="Kun ved læseadgang for en pårørende (ddmmåå-xxxx).",
    )
    relative_relation = forms.CharField(
        label="Relation til den indsatte",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=TEXT),
        help_text="Fx mor, ægtefælle eller bror.",
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Ny status", choices=FormStatus.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label="Bemærkning",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"max_length": "Bemærkningen må højst være 500 tegn."},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["status"].choices = choices


class PersonLookupForm(forms.Form):
    """Find the inmate by CPR number (posted, never in a URL)."""

    cpr = forms.CharField(
        label="Den indsattes CPR-nummer",
        max_length=20,
        help_text="10 cifre, fx 010150-1234.",
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Skriv den indsattes CPR-nummer.",
            "max_length": "Et CPR-nummer har 10 cifre (ddmmåå-xxxx).",
            "null_characters_not_allowed": "CPR-nummeret indeholder ugyldige tegn.",
        },
    )

    def clean_cpr(self):
        return normalize_cpr(self.cleaned_data["cpr"])
