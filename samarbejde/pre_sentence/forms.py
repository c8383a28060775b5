"""Forms of the § 808 pages: open an investigation (CPR POSTed, never in a URL), send a request, close.

The forms check types and required fields with Danish messages; the business rules (hearing in the future,
answer date before the hearing, a basis or consent) are the services' and come back as their ValidationError.
"""

from django import forms

from samarbejde.core import dates
from samarbejde.people.cpr import normalize_cpr
from samarbejde.pre_sentence.courts import COURT_CHOICES
from samarbejde.pre_sentence.models import DisclosureBasis
from samarbejde.pre_sentence.services import (
    LEGAL_BASES,
    MSG_BASIS_REQUIRED,
    MSG_DUE_REQUIRED,
    MSG_QUESTIONS_REQUIRED,
    NOTE_MAX,
    QUESTIONS_MAX,
)

DATE_FORMAT = "%Y-%m-%d"
MSG_DATE = "Skriv en gyldig dato, fx 24-09-2027."
MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
OTHER_COURT = ""


def _text(label, max_length, *, required=True, help_text="", textarea=False, required_message=""):
    widget = (
        forms.Textarea(attrs={"class": "form-input", "rows": 6})
        if textarea
        else forms.TextInput(attrs={"class": "form-input", "autocomplete": "off"})
    )
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages={
            "required": required_message or f"Udfyld {label.lower()}.",
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )


def _date(label, *, required=True, help_text="", required_message=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format=DATE_FORMAT),
        error_messages={"required": required_message or f"Angiv {label.lower()}.", "invalid": MSG_DATE},
    )


class InvestigationForm(forms.Form):
    """One POST: the person's CPR (found, or registered with name and municipality) and the court's request."""

    cpr = _text("CPR-nummer", 20, help_text="10 cifre, fx 010150-1234. Findes personen ikke, oprettes den.")
    first_name = _text("Fornavn", 100, required=False, help_text="Kun hvis personen ikke findes i systemet.")
    last_name = _text("Efternavn", 100, required=False, help_text="Kun hvis personen ikke findes i systemet.")
    home_municipality = forms.ChoiceField(
        label="Bopælskommune",
        required=False,
        help_text="Kun hvis personen ikke findes i systemet.",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en af de 98 kommuner."},
    )
    court = forms.ChoiceField(
        label="Ret",
        choices=COURT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Vælg en af de viste retter, eller skriv rettens navn nedenfor."},
    )
    other_court = _text("Anden ret", 120, required=False, help_text="Hvis retten ikke er på listen.")
    hearing_date = _date("Dato for retsmødet", help_text="Retsmødet, hvor dommen ventes. Skal ligge i fremtiden.")

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_municipality"].choices = [("", "Ukendt"), *municipalities]

    def clean_cpr(self):
        return normalize_cpr(self.cleaned_data["cpr"])

    def court_name(self) -> str:
        return (self.cleaned_data.get("other_court") or "").strip() or self.cleaned_data.get("court") or ""

    def clean_hearing_date(self):
        value = self.cleaned_data["hearing_date"]
        if value is not None:
            dates.check_planned(value)
        return value


class RequestForm(forms.Form):
    """An information request: to the person's municipality and/or other bodies, questions, basis, due date."""

    to_home = forms.BooleanField(
        label="Borgerens bopælskommune",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-checkbox"}),
    )
    others = forms.MultipleChoiceField(
        label="Andre myndigheder",
        required=False,
        help_text="Fx en anden kommune, politikredsen eller Ungdomskriminalitetsnævnet. Hold Ctrl nede for at vælge flere.",
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        error_messages={"invalid_choice": "Vælg myndighederne på listen."},
    )
    questions = _text(
        "Spørgsmål",
        QUESTIONS_MAX,
        textarea=True,
        required_message=MSG_QUESTIONS_REQUIRED,
        help_text="Hvad skal modtageren oplyse? Fx bolig, forsørgelse, beskæftigelse, misbrugsbehandling, sociale indsatser.",
    )
    basis = forms.ChoiceField(
        label="Grundlag for videregivelsen",
        choices=[*LEGAL_BASES.items(), (DisclosureBasis.CONSENT, "Borgerens samtykke (skal være registreret)")],
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={"required": MSG_BASIS_REQUIRED, "invalid_choice": "Vælg lovgrundlaget eller samtykke."},
    )
    answer_due = _date("Svarfrist", help_text="Skal ligge før retsmødet.", required_message=MSG_DUE_REQUIRED)

    def __init__(self, *args, home=None, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.home = home
        if home is not None:
            self.fields["to_home"].label = f"Borgerens bopælskommune: {home.display_name}"
        else:
            self.fields["to_home"].label = "Borgerens bopælskommune (ukendt: vælg modtageren blandt andre myndigheder)"
            self.fields["to_home"].disabled = True
        self.fields["others"].choices = [(str(o.pk), o.display_name) for o in others]
        self._others = {str(o.pk): o for o in others}

    def recipients(self) -> list:
        chosen = [self.home] if self.cleaned_data.get("to_home") and self.home is not None else []
        return chosen + [self._others[pk] for pk in self.cleaned_data.get("others") or () if pk in self._others]


class CloseForm(forms.Form):
    note = _text(
        "Bemærkning", NOTE_MAX, required=False, textarea=True, help_text="Fx at erklæringen er sendt til retten."
    )
