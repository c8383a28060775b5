"""Forms for the consent pages. They check types and required fields with Danish messages; the rules (dates,
scope, how it was given) are consent.services' and come back as its ValidationError, put on the field its
code names (FIELD_OF_CODE)."""

from django import forms
from django.utils import timezone

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import GivenHow
from samarbejde.consent.services import PURPOSES
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import OrgKind

DATE_FORMAT = "%Y-%m-%d"
MSG_DATE = "Skriv en gyldig dato, fx 24-09-2027."
MSG_MAX_LENGTH = "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d."
TEXT_ERRORS = {"max_length": MSG_MAX_LENGTH, "null_characters_not_allowed": "Teksten indeholder ugyldige tegn."}

# Which organisations a consent may name: the municipalities and KRFO's own units (KiF, the institutions).
SCOPE_KINDS = (OrgKind.MUNICIPALITY, OrgKind.PROBATION_OFFICE, OrgKind.KRFO_INSTITUTION, OrgKind.YOUTH_UNIT)

# The service's error codes and the form field each belongs on.
FIELD_OF_CODE = {
    "recipients_required": "recipients",
    "recipient_unknown": "recipients",
    "recipient_own_unit": "recipients",
    "categories_required": "categories",
    "category_unknown": "categories",
    "purpose_required": "purpose",
    "purpose_too_long": "purpose",
    "given_how": "given_how",
    "form_required": "signed_form",
    "form_not_pdf": "signed_form",
    "content_mismatch": "signed_form",
    "empty": "signed_form",
    "too_large": "signed_form",
    "unreadable": "signed_form",
    "no_extension": "signed_form",
    "witness_required": "witness_name",
    "witness_too_long": "witness_name",
    "given_required": "given_on",
    "given_in_future": "given_on",
    "date_out_of_range": "given_on",
    "date_before_birth": "given_on",
    "date_too_old": "given_on",
    "date_in_future": "given_on",
    "expires_before_given": "expires_on",
    "expires_past": "expires_on",
    "expires_too_late": "expires_on",
    "revoke_reason_required": "reason",
    "revoke_reason_too_long": "reason",
    "revoked_on_required": "revoked_on",
    "revoked_on_future": "revoked_on",
    "revoked_before_given": "revoked_on",
}


def add_service_error(form, exc) -> None:
    """The service's ValidationError on the field its code names (when the form has it), else on top."""
    for error in getattr(exc, "error_list", [exc]):
        field = FIELD_OF_CODE.get(getattr(error, "code", None) or "")
        form.add_error(field if field in form.fields else None, error)


def _date(label: str, *, required: bool, help_text: str = ""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format=DATE_FORMAT),
        error_messages={"required": f"Angiv {label.lower()}.", "invalid": MSG_DATE},
    )


def scope_organisations():
    return Organisation.objects.filter(is_active=True, kind__in=SCOPE_KINDS).order_by("kind", "name")


class ConsentForm(forms.Form):
    purpose = forms.CharField(
        label="Formål",
        max_length=300,
        help_text="Hvad oplysningerne skal bruges til, fx »Koordinering af handleplan«. Højst 300 tegn.",
        widget=forms.TextInput(attrs={"class": "form-input", "list": "consent-purposes", "autocomplete": "off"}),
        error_messages={"required": "Skriv formålet med samtykket, fx »Koordinering af handleplan«.", **TEXT_ERRORS},
    )
    recipients = forms.ModelMultipleChoiceField(
        label="Myndigheder",
        queryset=Organisation.objects.none(),
        help_text=(
            "De myndigheder, Kriminalforsorgen må udveksle oplysningerne med (give dem eller få dem fra). "
            "Hold Ctrl nede for at vælge flere."
        ),
        widget=forms.SelectMultiple(attrs={"class": "form-select consent-recipients", "size": "8"}),
        error_messages={
            "required": "Vælg mindst én myndighed, som samtykket omfatter.",
            "invalid_choice": "En af de valgte myndigheder findes ikke. Vælg myndighederne igen.",
            "invalid_pk_value": "En af de valgte myndigheder findes ikke. Vælg myndighederne igen.",
        },
    )
    categories = forms.MultipleChoiceField(
        label="Oplysninger",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        error_messages={
            "required": "Vælg mindst én slags oplysninger, som samtykket omfatter.",
            "invalid_choice": "En af de valgte slags oplysninger findes ikke. Vælg dem igen.",
        },
    )
    given_how = forms.ChoiceField(
        label="Hvordan er samtykket givet?",
        choices=GivenHow.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": "Vælg, hvordan samtykket er givet: underskrevet erklæring eller mundtligt med vidne.",
            "invalid_choice": "Vælg, hvordan samtykket er givet: underskrevet erklæring eller mundtligt med vidne.",
        },
    )
    signed_form = forms.FileField(
        label="Underskrevet samtykkeerklæring (PDF)",
        required=False,
        help_text="Kun ved underskrevet erklæring. Scan den underskrevne blanket som PDF.",
        widget=forms.FileInput(attrs={"class": "form-input", "accept": ".pdf,application/pdf"}),
        error_messages={"invalid": "Filen kunne ikke læses. Prøv at vedhæfte den igen."},
    )
    witness_name = forms.CharField(
        label="Vidnets navn",
        required=False,
        max_length=200,
        help_text="Kun ved mundtligt samtykke: den, der overværede det.",
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "off"}),
        error_messages=TEXT_ERRORS,
    )
    witness_role = forms.CharField(
        label="Vidnets stilling",
        required=False,
        max_length=200,
        help_text="Fx fængselsbetjent eller socialrådgiver.",
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "off"}),
        error_messages=TEXT_ERRORS,
    )
    given_on = _date("Samtykket er givet den", required=True)
    expires_on = _date(
        "Gyldigt til og med",
        required=False,
        help_text="Tom: et år efter, samtykket er givet (produktvalg). Højst 3 år.",
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = scope_organisations()
        self.purposes = PURPOSES
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())
            if person is not None and person.home_municipality_id:
                self.initial.setdefault("recipients", [person.home_municipality_id])


class RevokeForm(forms.Form):
    revoked_on = _date("Borgeren tilbagekaldte samtykket den", required=True)
    reason = forms.CharField(
        label="Begrundelse",
        max_length=1000,
        help_text="Fx »Borgeren sagde det på mødet den 3. marts«. Højst 1000 tegn.",
        widget=forms.Textarea(attrs={"class": "form-input", "rows": 3}),
        error_messages={"required": "Skriv, hvorfor samtykket tilbagekaldes.", **TEXT_ERRORS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("revoked_on", timezone.localdate())
