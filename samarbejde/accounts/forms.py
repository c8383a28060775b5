from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Forkert brugernavn eller adgangskode. Bemærk, at der skelnes mellem store og små bogstaver.",
        "inactive": "Brugeren er deaktiveret. Kontakt din administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Brugernavn"
        self.fields["password"].label = "Adgangskode"
        self.fields["username"].widget.attrs.update({"class": "form-input", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-input", "autocomplete": "current-password"})


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="Engangskode fra din godkendelses-app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"class": "form-input", "autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Skriv den 6-cifrede kode.", "min_length": "Koden har 6 cifre."},
    )
