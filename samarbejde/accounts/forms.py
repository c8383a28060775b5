from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Forkert brugernavn eller adgangskode. Bemærk, at der skelnes mellem store og små bogstaver."
        ),
        "inactive": _("Brugeren er deaktiveret. Kontakt din administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Brugernavn")
        self.fields["password"].label = _("Adgangskode")
        self.fields["username"].widget.attrs.update({"class": "form-input", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-input", "autocomplete": "current-password"})


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Engangskode fra din godkendelses-app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Skriv den 6-cifrede kode."), "min_length": _("Koden har 6 cifre.")},
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Tilmeldingskode"),
        max_length=40,
        help_text=_("Koden har 12 tegn, f.eks. ABCD-EFGH-JKLM. Du får den af din administrator."),
        widget=forms.TextInput(
            attrs={"class": "form-input", "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Skriv tilmeldingskoden."),
            "max_length": _("Tilmeldingskoden har 12 tegn."),
        },
    )
