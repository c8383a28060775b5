"""Forms of the handleplan pages. Types and required fields here (Danish messages); the business guards (who,
exactly one responsible, due date after admission, stale versions, consent) are the services'."""

from django import forms

from samarbejde.action_plans.models import AREA_CHOICES, ActionStatus, PlanStatus, ResponsibleKind, ShareBasis
from samarbejde.core import dates

DATE_FORMAT = "%Y-%m-%d"
TRI = [("", "Ikke vurderet"), ("yes", "Ja"), ("no", "Nej")]
MSG_DATE = "Skriv en gyldig dato, fx 24-09-2027."


def _tri(label: str):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=TRI,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _date(label: str, *, required: bool = False, validators=(), help_text: str = ""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        validators=list(validators),
        input_formats=[DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"class": "form-input", "type": "date"}, format=DATE_FORMAT),
        error_messages={"required": f"Angiv {label.lower()}.", "invalid": MSG_DATE},
    )


def _textarea(label: str, max_length: int, *, required: bool = False, rows: int = 3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"class": "form-input", "rows": rows}),
        error_messages={
            "required": f"Udfyld {label.lower()}.",
            "max_length": "Teksten må højst være %(limit_value)d tegn. Du har skrevet %(show_value)d.",
        },
    )


def _select(label: str, choices, *, required: bool = True, message: str = "Vælg en af mulighederne."):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": message, "invalid_choice": message},
    )


class VersionField(forms.IntegerField):
    def __init__(self):
        super().__init__(widget=forms.HiddenInput, min_value=1)


def plan_to_tri(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class PlanForm(forms.Form):
    """The plan's head and every area's assessment and goals."""

    version = VersionField()
    status = _select("Status", PlanStatus.choices)
    responsible = _select("Handleplansansvarlig", [], required=False)
    intake_on = _date("Indkomstsamtale", validators=[dates.check_occurred], help_text="Datoen for indkomstsamtalen.")
    non_danish_background = _tri("Anden etnisk baggrund end dansk (under 26 år)")
    no_suitable_housing = _tri("Ingen passende bolig")
    no_suitable_income = _tri("Ingen passende forsørgelse")
    children_with_support = _tri("Børn med støtteforanstaltninger")
    other_special_reason = _textarea("Andre særlige grunde", 1000)

    def __init__(self, *args, responsible_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_users = {str(u.pk): u for u in responsible_choices}
        self.fields["responsible"].choices = [("", "Ikke udpeget")] + [
            (key, u.display_name) for key, u in self.responsible_users.items()
        ]
        for category, label in AREA_CHOICES:
            self.fields[f"{category}_assessment"] = _textarea(f"{label}: vurdering ved indkomst", 4000)
            self.fields[f"{category}_goals"] = _textarea(f"{label}: mål", 4000)

    @classmethod
    def initial_for(cls, plan) -> dict:
        initial = {
            "version": plan.version,
            "status": plan.status,
            "responsible": str(plan.responsible_id or ""),
            "intake_on": plan.intake_on,
            "other_special_reason": plan.other_special_reason,
        }
        for name in ("non_danish_background", "no_suitable_housing", "no_suitable_income", "children_with_support"):
            initial[name] = plan_to_tri(getattr(plan, name))
        for area in plan.area_list:
            initial[f"{area.category}_assessment"] = area.assessment
            initial[f"{area.category}_goals"] = area.goals
        return initial

    def area_fields(self):
        return [(label, self[f"{c}_assessment"], self[f"{c}_goals"]) for c, label in AREA_CHOICES]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            "status": data["status"],
            "responsible": self.responsible_users.get(data.get("responsible") or ""),
            "intake_on": data.get("intake_on"),
            "facts": {
                name: data.get(name)
                for name in (
                    "non_danish_background",
                    "no_suitable_housing",
                    "no_suitable_income",
                    "children_with_support",
                )
            },
            "other_special_reason": data.get("other_special_reason", ""),
            "areas": {
                c: {"assessment": data.get(f"{c}_assessment", ""), "goals": data.get(f"{c}_goals", "")}
                for c, _ in AREA_CHOICES
            },
        }


class ActionForm(forms.Form):
    """A new action (KRFO: any responsible party; the municipality: its own departments)."""

    version = VersionField()
    category = _select("Område", AREA_CHOICES, message="Vælg et af handleplanens områder.")
    description = forms.CharField(
        label="Indsats",
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-input"}),
        error_messages={"required": "Beskriv indsatsen.", "max_length": "Beskrivelsen må højst være 500 tegn."},
    )
    responsible_kind = forms.ChoiceField(
        label="Ansvarlig",
        choices=ResponsibleKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
        error_messages={
            "required": "Vælg, hvem der er ansvarlig for indsatsen.",
            "invalid_choice": "Vælg en ansvarlig.",
        },
    )
    responsible_unit = _select(
        "Ansvarlig enhed eller afdeling",
        [],
        required=False,
        message="Vælg en enhed eller afdeling fra listen.",
    )
    responsible_other = forms.CharField(
        label="Anden ansvarlig aktør",
        required=False,
        max_length=200,
        help_text="Kun når en anden aktør er ansvarlig, fx »Misbrugscenter Nord«.",
        widget=forms.TextInput(attrs={"class": "form-input"}),
        error_messages={"max_length": "Navnet må højst være 200 tegn."},
    )
    due_on = _date("Frist", required=True, validators=[dates.check_planned])
    status = _select("Status", ActionStatus.choices)
    decline_reason = _textarea("Begrundelse for afslag", 1000)
    notes = _textarea("Noter", 2000)

    def __init__(self, *args, units, categories=None, municipal: bool = False, **kwargs):
        """`units`: [(key, label, organisation, department or None)] the responsible choices."""
        super().__init__(*args, **kwargs)
        self.units = {key: (organisation, department) for key, _, organisation, department in units}
        self.fields["responsible_unit"].choices = [("", "Vælg")] + [(key, label) for key, label, _, _ in units]
        if categories is not None:
            self.fields["category"].choices = [c for c in AREA_CHOICES if c[0] in categories]
        if municipal:
            self.fields["responsible_kind"].choices = [
                (ResponsibleKind.MUNICIPAL_DEPARTMENT, ResponsibleKind.MUNICIPAL_DEPARTMENT.label)
            ]
            self.fields["responsible_kind"].initial = ResponsibleKind.MUNICIPAL_DEPARTMENT
            del self.fields["responsible_other"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        organisation, department = self.units.get(data.get("responsible_unit") or "", (None, None))
        # A unit chosen together with "the client" or another body is one party too many: the service refuses it.
        kind = data["responsible_kind"]
        return {
            "expected_version": data["version"],
            "category": data["category"],
            "description": data["description"],
            "responsible_kind": kind,
            "responsible_organisation": organisation,
            "responsible_department": department,
            "responsible_other": data.get("responsible_other", ""),
            "due_on": data["due_on"],
            "status": data["status"],
            "decline_reason": data.get("decline_reason", ""),
            "notes": data.get("notes", ""),
        }


class ActionUpdateForm(forms.Form):
    version = VersionField()
    status = _select("Status", ActionStatus.choices)
    due_on = _date("Frist", required=True, validators=[dates.check_planned])
    decline_reason = _textarea("Begrundelse for afslag", 1000, rows=2)
    notes = _textarea("Noter", 2000, rows=2)


class ShareForm(forms.Form):
    """Per area: not shared, on a legal basis, or on the client's consent."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category, label in AREA_CHOICES:
            self.fields[category] = _select(label, [("", "Deles ikke"), *ShareBasis.choices], required=False)

    @classmethod
    def initial_for(cls, plan) -> dict:
        return {"version": plan.version, **{a.category: a.share_basis for a in plan.area_list}}

    def area_fields(self):
        return [self[c] for c, _ in AREA_CHOICES]

    def shares(self) -> dict:
        return {c: self.cleaned_data.get(c) or "" for c, _ in AREA_CHOICES}


class ReferenceForm(forms.Form):
    version = VersionField()
    reference = forms.CharField(
        label="Kommunens handleplan (serviceloven § 141)",
        required=False,
        max_length=200,
        help_text="Journalnummer eller anden henvisning til kommunens egen handleplan.",
        widget=forms.TextInput(attrs={"class": "form-input"}),
        error_messages={"max_length": "Henvisningen må højst være 200 tegn."},
    )


class CommentForm(forms.Form):
    category = _select("Om området", [("", "Hele planen")], required=False)
    text = _textarea("Kommentar", 2000, required=True)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [c for c in AREA_CHOICES if categories is None or c[0] in categories]
        self.fields["category"].choices = [("", "Hele planen"), *allowed]
