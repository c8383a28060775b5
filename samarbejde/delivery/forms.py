"""The delivery dashboard's filters (GET): an invalid value is reported in Danish and the filter ignored."""

from django import forms

from .models import Delivery, DeliveryStatus


def _select(label: str, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": message},
    )


class DashboardFilterForm(forms.Form):
    kanal = _select("Kanal", "Vælg en kanal fra listen.")
    status = _select("Status", "Vælg en status fra listen.")
    organisation = _select("Modtager", "Vælg en modtager fra listen.")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Read from the model, so a channel added there (e.g. webhook) is offered without a change here.
        channels = Delivery._meta.get_field("channel").choices
        self.fields["kanal"].choices = [("", "Alle kanaler"), *channels]
        self.fields["status"].choices = [("", "Alle (listen: fejlet og opgivet)"), *DeliveryStatus.choices]
        self.organisations = {o.code: o for o in organisations}
        self.fields["organisation"].choices = [
            ("", "Alle modtagere"),
            *((code, o.display_name) for code, o in self.organisations.items()),
        ]

    def filters(self) -> dict:
        """The valid filters as selector keywords; an invalid one is left out (its error is shown)."""
        if not self.is_bound:
            return {"channel": "", "status": "", "organisation": None}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        code = data.get("organisation", "") if "organisation" not in self.errors else ""
        return {
            "channel": data.get("kanal", "") if "kanal" not in self.errors else "",
            "status": data.get("status", "") if "status" not in self.errors else "",
            "organisation": self.organisations.get(code) if code else None,
        }
