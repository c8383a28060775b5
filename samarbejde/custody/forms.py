"""Forms for KRFO's custody pages: register admission (CPR first) and the episode's actions.

The forms check types and required fields with Danish messages, and that dates are plausible (samarbejde.core.
dates, the same window as the API); the business guards (already in custody, dates against the episode,
institutions) are the services' and come back as their Danish ValidationError.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from samarbejde.core import dates
from samarbejde.custody.models import CustodyType, ReleaseCertainty, ReleaseKind
from samarbejde.organisations.models import Organisation
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Benefit, PensionKind, Person

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FORMAT = "%Y-%m-%d"
UNKNOWN_MUNICIPALITY = ""

MSG_DATETIME = "Skriv dato og klokkeslæt, fx 24-03-2027 10:00."
MSG_DATE = "Skriv en gyldig dato, fx 24-09-2027."
MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
MSG_CHOOSE = "Vælg en af mulighederne."


def _text(label: str, max_length: int, *, required: bool = True, help_text: str = "", autocomplete: str = "off"):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": autocomplete}),
        error_messages={
            "required": f"Udfyld {label.lower()}.",
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )


def _datetime(label: str, *, help_text: str = ""):
    """When something happened: inside samarbejde.core.dates' window (not years back, not in the future)."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        validators=[dates.check_occurred],
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"class": "form-input", "type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"required": f"Angiv {label.lower()}.", "invalid": MSG_DATETIME},
    )


def _date(label: str, *, required: bool = False, help_text: str = ""):
    """A planned date (the expected release): inside samarbejde.core.dates' window for planned dates."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[dates.check_planned],
        input_formats=[DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format=DATE_FORMAT),
        error_messages={"required": f"Angiv {label.lower()}.", "invalid": MSG_DATE},
    )


def _choice(label: str, choices, *, required: bool = True, radio: bool = False, message: str = MSG_CHOOSE):
    widget = forms.RadioSelect(attrs={"class": "form-radio"}) if radio else forms.Select(attrs={"class": "form-select"})
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=widget,
        error_messages={"required": message, "invalid_choice": message},
    )


def now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


class CprLookupForm(forms.Form):
    """Step 1: the CPR number (exact match). Render with auto_id="lookup_%s"."""

    cpr = _text(
        "CPR-nummer",
        20,
        help_text="10 cifre, fx 010150-1234. Findes personen, vises navn og forhold; ellers oprettes personen.",
    )

    def clean_cpr(self):
        return normalize_cpr(self.cleaned_data["cpr"])


class SituationFields(forms.Form):
    """The person's situation the notices depend on: home municipality, pension and benefits (the admission form
    and the correction form). Subclasses set the municipality choices."""

    home_municipality = _choice("Bopælskommune", [], required=False, message="Vælg en af de 98 kommuner.")
    pension = _choice(
        "Pension", PensionKind.choices, radio=True, message="Vælg ingen pension, folkepension eller førtidspension."
    )
    benefits = forms.MultipleChoiceField(
        label="Ydelser ved indsættelsen",
        choices=Benefit.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={
            "invalid_choice": "Vælg blandt de seks ydelser.",
            "invalid_list": "Vælg blandt de seks ydelser.",
        },
    )

    def set_municipalities(self, municipalities) -> None:
        self.fields["home_municipality"].choices = [
            (UNKNOWN_MUNICIPALITY, "Ukendt (ingen fast bopæl)"),
            *municipalities,
        ]


class AdmissionForm(SituationFields):
    """Step 2: the person's situation (and name when new) and the admission itself."""

    cpr = forms.CharField(widget=forms.HiddenInput, max_length=20)
    first_name = _text("Fornavn(e)", 120, required=False, autocomplete="off")
    last_name = _text("Efternavn", 120, required=False, autocomplete="off")
    address = _text(
        "Adresse", 300, required=False, help_text="Adressen ved indsættelsen, fx Testvej 1, 2450 København SV."
    )
    institution = _choice("Institution", [], message="Vælg en af Kriminalforsorgens institutioner.")
    custody_type = _choice(
        "Frihedsberøvelse", CustodyType.choices, radio=True, message="Vælg varetægtsfængsling eller afsoning."
    )
    admitted_at = _datetime("Indsat", help_text="Dato og klokkeslæt for indsættelsen.")
    expected_release = _date("Forventet løsladelse", help_text="Lad feltet stå tomt, hvis datoen er ukendt.")
    certainty = _choice(
        "Sikkerhed for løsladelsesdatoen",
        ReleaseCertainty.choices,
        radio=True,
        message="Vælg ukendt, skønnet eller fastsat.",
    )

    def __init__(self, *args, person: Person | None, municipalities, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.set_municipalities(municipalities)
        self.institutions = {institution.code: institution for institution in institutions}
        self.fields["institution"].choices = [(code, i.display_name) for code, i in self.institutions.items()]
        if person is None:
            for name in ("first_name", "last_name"):
                self.fields[name].required = True
        else:
            del self.fields["first_name"], self.fields["last_name"]

    @classmethod
    def initial_for(cls, cpr: str, person: Person | None, institution: Organisation | None) -> dict:
        initial = {
            "cpr": cpr,
            "admitted_at": now_local(),
            "custody_type": CustodyType.REMAND,
            "certainty": ReleaseCertainty.UNKNOWN,
            "pension": PensionKind.NONE,
            "institution": institution.code if institution else "",
        }
        if person is not None:
            initial.update(
                address=person.address,
                home_municipality=person.home_municipality.code if person.home_municipality else "",
                pension=person.pension,
                benefits=list(person.benefits or []),
            )
        return initial

    def clean_cpr(self):
        try:
            return normalize_cpr(self.cleaned_data["cpr"])
        except ValidationError:
            raise ValidationError("CPR-nummeret er ugyldigt. Søg personen frem igen.") from None

    def clean(self):
        """No date before the person's date of birth (from the CPR number)."""
        cleaned = super().clean()
        birth = dates.birth_date_of(cleaned.get("cpr"))
        for name in ("admitted_at", "expected_release"):
            if cleaned.get(name) is not None and not self.has_error(name):
                try:
                    dates.check_birth(cleaned[name], birth=birth)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def service_kwargs(self, municipality_by_code) -> dict:
        data = self.cleaned_data
        code = data.get("home_municipality") or ""
        return {
            "cpr": data["cpr"],
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "address": data.get("address", ""),
            "home_municipality": municipality_by_code(code) if code else None,
            "pension": data["pension"],
            "benefits": list(data.get("benefits") or []),
            "institution": self.institutions[data["institution"]],
            "custody_type": data["custody_type"],
            "admitted_at": data["admitted_at"],
            "expected_release": data.get("expected_release"),
            "certainty": data["certainty"],
        }


class ConvertForm(forms.Form):
    occurred_at = _datetime("Dom afsagt", help_text="Tidspunktet, hvor varetægtsfængslingen blev til afsoning.")


class TransferForm(forms.Form):
    to_institution = _choice("Ny institution", [], message="Vælg en af Kriminalforsorgens institutioner.")
    occurred_at = _datetime("Overført")

    def __init__(self, *args, institutions, current: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.institutions = {i.code: i for i in institutions}
        self.fields["to_institution"].choices = [
            ("", "Vælg institution"),
            *((code, i.display_name) for code, i in self.institutions.items() if i.pk != current.pk),
        ]

    @property
    def chosen_institution(self) -> Organisation:
        return self.institutions[self.cleaned_data["to_institution"]]


class ReleaseDateForm(forms.Form):
    expected_release = _date("Ny forventet løsladelse", help_text="Lad feltet stå tomt, hvis datoen er ukendt.")
    certainty = _choice(
        "Sikkerhed for datoen", ReleaseCertainty.choices, radio=True, message="Vælg ukendt, skønnet eller fastsat."
    )


class ReleaseForm(forms.Form):
    released_at = _datetime("Løsladt")
    release_kind = _choice(
        "Løsladelsesform",
        [("", "Vælg løsladelsesform"), *ReleaseKind.choices],
        message="Vælg, hvordan personen er løsladt.",
    )
    address_after = _text(
        "Adresse efter løsladelse",
        300,
        required=False,
        help_text="Hvor personen skal bo. Lad feltet stå tomt, hvis adressen er ukendt.",
    )


class InstitutionFilterForm(forms.Form):
    institution = _choice("Institution", [], required=False)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.institutions = {i.code: i for i in institutions}
        self.fields["institution"].choices = [
            ("", "Vælg institution"),
            *((c, i.display_name) for c, i in self.institutions.items()),
        ]

    def chosen(self, default: Organisation | None) -> Organisation | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("institution"):
            return self.institutions[self.cleaned_data["institution"]]
        return default


COORDINATE_YES, COORDINATE_NO = "ja", "nej"


class CoordinationForm(forms.Form):
    """KRFO's decision whether the handleplan is coordinated with the municipality (BEK 642/2006 § 3)."""

    coordinate = _choice(
        "Skal handleplanen koordineres med kommunen?",
        [(COORDINATE_YES, "Ja, anmod kommunen om sagsakter"), (COORDINATE_NO, "Nej")],
        radio=True,
        message="Vælg, om handleplanen skal koordineres med kommunen.",
    )
    reason = forms.CharField(
        label="Begrundelse",
        required=False,
        max_length=1000,
        help_text="Skal udfyldes ved »Nej«, fx at straffen er på 4 måneder eller derunder. Højst 1000 tegn.",
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        error_messages={
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )

    # --- consent: the case-files request rests on the client's consent; a manager may go ahead without one ---
    override_reason = forms.CharField(
        label="Begrundelse for at anmode om sagsakter uden samtykke",
        required=False,
        max_length=1000,
        help_text=(
            "Kun for ledere, og kun hvis borgeren ikke har givet samtykke, og anmodningen ikke kan vente. "
            "Begrundelsen registreres og vises på listen over videregivelser uden samtykke. Højst 1000 tegn."
        ),
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 2}),
        error_messages={
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )

    @classmethod
    def initial_for(cls, episode) -> dict:
        if episode.coordinate_action_plan is None:
            return {}
        return {
            "coordinate": COORDINATE_YES if episode.coordinate_action_plan else COORDINATE_NO,
            "reason": episode.coordination_reason,
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("coordinate") == COORDINATE_NO and not cleaned.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Skriv en begrundelse, når handleplanen ikke skal koordineres med kommunen.")
        return cleaned

    @property
    def coordinate_value(self) -> bool:
        return self.cleaned_data["coordinate"] == COORDINATE_YES


class CorrectionForm(SituationFields):
    """Correct the person's home municipality, pension or benefits during the episode (registered wrong)."""

    reason = forms.CharField(
        label="Hvad er rettet, og hvorfor?",
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        help_text=(
            "Fx »Bopælskommunen var registreret forkert«. Vises for de modtagere, hvis underretning trækkes "
            "tilbage: skriv ingen personoplysninger. Højst 1000 tegn."
        ),
        error_messages={
            "required": "Skriv, hvad der er rettet og hvorfor.",
            "max_length": MSG_MAX_LENGTH,
            "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
        },
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_municipality"].choices = [
            (UNKNOWN_MUNICIPALITY, "Ukendt (ingen fast bopæl)"),
            *municipalities,
        ]

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        return {
            "home_municipality": person.home_municipality.code if person.home_municipality_id else "",
            "pension": person.pension,
            "benefits": list(person.benefits or []),
        }

    def service_kwargs(self, municipality_by_code) -> dict:
        code = self.cleaned_data.get("home_municipality") or ""
        return {
            "home_municipality": municipality_by_code(code) if code else None,
            "pension": self.cleaned_data["pension"],
            "benefits": list(self.cleaned_data.get("benefits") or []),
            "reason": self.cleaned_data["reason"],
        }


def _hours_label(hours: int) -> str:
    return f"{hours} timer" if hours < 48 else f"{hours // 24} døgn"


class NeedAccessForm(forms.Form):
    """ "Need access": a KRFO user's time-boxed, justified access to a client outside their unit (ADR 0008).
    The reason's rules are people.services.person_access_grant's; this form checks presence and types."""

    cpr = _text("CPR-nummer", 20, help_text="10 cifre, fx 010150-1234.")
    justification = forms.CharField(
        label="Begrundelse",
        max_length=1000,
        help_text="Hvorfor har du brug for at se klienten? Begrundelsen logges og ses af databeskyttelsesrådgiveren.",
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        error_messages={"required": "Skriv en begrundelse.", "max_length": MSG_MAX_LENGTH},
    )
    hours = _choice("Varighed", [], radio=True, message="Vælg en af de tilladte varigheder.")

    def __init__(self, *args, hours_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].choices = [(str(h), _hours_label(h)) for h in hours_allowed]
        if not self.is_bound:
            self.initial.setdefault("hours", str(hours_allowed[0]))

    def clean_cpr(self):
        return normalize_cpr(self.cleaned_data["cpr"])

    def clean_hours(self):
        return int(self.cleaned_data["hours"])
