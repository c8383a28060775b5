"""POST /api/v1/custody-events/: the body KRFO's client system sends, and the result it gets back.

Partners integrate against these names: keep them stable (fields may be added). The input serializers
check types, required fields and codes with Danish messages; the business guards (already in custody,
dates against the episode, ...) are the custody services', mapped to problem details by the view.
"""

import hashlib
import json
from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from samarbejde.api.fields import AwareDateTimeField, WindowDateField
from samarbejde.core import dates
from samarbejde.custody.models import CustodyType, EventKind, ReleaseCertainty, ReleaseKind
from samarbejde.custody.services import UNCHANGED, ReportedEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import OrgKind
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Benefit, PensionKind


class CustodyEventType(models.TextChoices):
    ADMISSION = EventKind.ADMISSION.value, "Indsættelse"
    CONVERSION = EventKind.CONVERSION.value, "Varetægt ændret til afsoning"
    TRANSFER = EventKind.TRANSFER.value, "Overførsel"
    RELEASE_DATE_CHANGE = EventKind.RELEASE_DATE_CHANGE.value, "Ændret forventet løsladelsesdato"
    RELEASE = EventKind.RELEASE.value, "Løsladelse"


MSG_REQUIRED = "Dette felt er påkrævet."
MSG_REQUIRED_FOR = "Feltet er påkrævet ved %(type)s."
MSG_TEXT = "Skal være en tekst."
MSG_UNKNOWN_INSTITUTION = (
    "Ukendt institution: %(code)s. Angiv koden for en af Kriminalforsorgens institutioner "
    "(fængsel, arresthus eller pension), f.eks. krfo-koebenhavns-faengsler."
)
MSG_UNKNOWN_MUNICIPALITY = "Ukendt kommunekode: %(code)s. Angiv bopælskommunens kode med 3 cifre, f.eks. 101."
MSG_EXTERNAL_ID = "Angiv id'et fra klientsystemet (højst 64 tegn)."
MSG_DATETIME = "Angiv tidspunktet i ISO 8601 med tidszone, f.eks. 2026-11-27T09:30:00+01:00."
MSG_DATE = "Angiv datoen som åååå-mm-dd, f.eks. 2027-03-01."
MSG_CHOICE = "»%(input)s« er ikke en gyldig værdi. Gyldige værdier: %(valid)s."
MSG_LIST = 'Angiv ydelserne som en liste, f.eks. ["kontanthjaelp"]; en tom liste, hvis der ingen er.'
MSG_OBJECT = "Skal være et JSON-objekt."

TEXT_ERRORS = {
    "required": MSG_REQUIRED,
    "null": "Feltet må ikke være null.",
    "invalid": MSG_TEXT,
    "blank": "Feltet må ikke være tomt.",
    "max_length": "Højst {max_length} tegn.",
    "null_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
    "surrogate_characters_not_allowed": "Teksten indeholder ugyldige tegn.",
}
OBJECT_ERRORS = {"required": MSG_REQUIRED, "null": "Feltet må ikke være null.", "invalid": MSG_OBJECT}


class _Text(serializers.CharField):
    """Text only: DRF's CharField would take 12 for "12" (and a CPR number as a number loses its leading 0)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(max_length: int, *, error_messages: dict | None = None, **kw) -> serializers.CharField:
    return _Text(max_length=max_length, error_messages={**TEXT_ERRORS, **(error_messages or {})}, **kw)


class _Choice(serializers.ChoiceField):
    """A choice field whose error lists the valid values (in Danish)."""

    def __init__(self, choices, **kw):
        super().__init__(choices, error_messages={"required": MSG_REQUIRED, "null": "Feltet må ikke være null."}, **kw)

    def to_internal_value(self, data):
        if isinstance(data, str) and data in self.choice_strings_to_values:
            return self.choice_strings_to_values[data]
        raise serializers.ValidationError(
            MSG_CHOICE % {"input": str(data)[:40], "valid": ", ".join(self.choice_strings_to_values)}, code="invalid"
        )


class PersonInputSerializer(serializers.Serializer):
    cpr = _text(20, help_text="CPR-nummer, 10 cifre med eller uden bindestreg. Personen findes på CPR-nummeret.")
    name = _text(
        241,
        required=False,
        allow_blank=True,
        help_text=(
            "Fulde navn. Bruges kun, når personen oprettes (ved indsættelse af en person, der ikke er kendt): "
            "sidste ord er efternavnet, resten fornavne; »Efternavn, Fornavne« forstås også."
        ),
    )
    first_name = _text(120, required=False, allow_blank=True, help_text="Fornavn(e); i stedet for `name`.")
    last_name = _text(120, required=False, allow_blank=True, help_text="Efternavn; i stedet for `name`.")
    address = _text(
        300,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Adressen ved indsættelsen. Udeladt: uændret for en kendt person. Kun ved indsættelse.",
    )
    home_municipality = _text(
        10,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=(
            "Bopælskommunens kode (3 cifre), eller null, når den er ukendt (ingen fast bopæl: så sendes ingen "
            "underretning til en kommune, og svaret har en advarsel). Påkrævet ved indsættelse."
        ),
    )
    pension = _Choice(
        PensionKind.choices,
        required=False,
        help_text="Social pension. Påkrævet ved indsættelse.",
    )
    benefits = serializers.ListField(
        child=_Choice(Benefit.choices),
        required=False,
        allow_empty=True,
        max_length=20,
        error_messages={"not_a_list": MSG_LIST, "required": MSG_REQUIRED, "null": MSG_LIST, "max_length": MSG_LIST},
        help_text="Ydelser ved indsættelsen (tom liste: ingen). Påkrævet ved indsættelse.",
    )

    default_error_messages = {"invalid": MSG_OBJECT}

    def validate_cpr(self, value: str) -> str:
        return normalize_cpr(value)

    def validate_home_municipality(self, value):
        if not value:
            return None
        known = getattr(self.root, "organisations", None)
        if known is not None:
            municipality = known.get((OrgKind.MUNICIPALITY, value))
        else:
            municipality = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, is_active=True, code=value).first()
        if municipality is None:
            raise serializers.ValidationError(MSG_UNKNOWN_MUNICIPALITY % {"code": value[:10]})
        return municipality


class ExpectedReleaseSerializer(serializers.Serializer):
    date = WindowDateField(
        window="planned",
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": MSG_DATE, "datetime": MSG_DATE},
        help_text=(
            "Forventet løsladelsesdato (åååå-mm-dd), eller null når den er ukendt. Højst "
            f"{dates.DEFAULT_PLANNED_YEARS_AHEAD} år frem og ikke før personens fødselsdato."
        ),
    )
    certainty = _Choice(
        ReleaseCertainty.choices,
        help_text="Hvor sikker datoen er (`unknown` kun uden dato).",
    )

    default_error_messages = {"invalid": MSG_OBJECT}


class ReleaseInputSerializer(serializers.Serializer):
    kind = _Choice(ReleaseKind.choices, help_text="Hvordan personen er løsladt.")
    address_after = _text(
        300, required=False, allow_blank=True, default="", help_text="Adressen efter løsladelsen (tom: ukendt)."
    )

    default_error_messages = {"invalid": MSG_OBJECT}


class CustodyEventInputSerializer(serializers.Serializer):
    """One event from KRFO's client system. Which fields each type needs: see the endpoint description."""

    external_id = _text(
        64,
        error_messages={"blank": MSG_EXTERNAL_ID, "max_length": MSG_EXTERNAL_ID},
        help_text=(
            "Hændelsens id i klientsystemet, entydigt pr. afsendende organisation. Samme indhold igen giver "
            "det første svar (200); et andet indhold med et brugt id giver 409."
        ),
    )
    type = _Choice(CustodyEventType.choices, help_text="Hændelsen.")
    occurred_at = AwareDateTimeField(
        window="occurred",
        help_text=(
            "Hvornår hændelsen skete (ISO 8601 med tidszone, f.eks. +01:00 eller Z; uden tidszone: 400): "
            "indsættelsen, dommen, overførslen, ændringen eller løsladelsen. Højst et døgn ude i fremtiden, "
            f"højst {dates.DEFAULT_YEARS_BACK} år tilbage og ikke før personens fødselsdato."
        ),
    )
    institution = _text(
        64,
        required=False,
        help_text=(
            "Koden for Kriminalforsorgens institution (se manage.py list_organisations): ved indsættelse "
            "institutionen, ved overførsel den nye institution. Bruges ikke ved de andre typer."
        ),
    )
    custody_type = _Choice(
        CustodyType.choices,
        required=False,
        help_text="Frihedsberøvelsen. Påkrævet ved indsættelse.",
    )
    person = PersonInputSerializer(
        error_messages=OBJECT_ERRORS,
        help_text=(
            "Personen. Ved indsættelse: en kendt person (samme CPR-nummer) får sine forhold opdateret som i "
            "indsættelsesformularen, en ny oprettes. Ved de andre typer bruges kun `cpr`: hændelsen gælder "
            "personens igangværende indsættelse."
        ),
    )
    expected_release = ExpectedReleaseSerializer(
        required=False,
        allow_null=True,
        error_messages=OBJECT_ERRORS,
        help_text="Forventet løsladelse. Valgfri ved indsættelse (udeladt: ukendt); påkrævet ved release_date_change.",
    )
    release = ReleaseInputSerializer(
        required=False, allow_null=True, error_messages=OBJECT_ERRORS, help_text="Løsladelsen. Påkrævet ved release."
    )

    default_error_messages = {"invalid": "Indholdet skal være et JSON-objekt."}

    def validate_external_id(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(MSG_EXTERNAL_ID)
        return value

    def validate_occurred_at(self, value):
        try:
            value.astimezone(UTC)  # the canonical form is UTC; year 1 with a negative offset is not a time
        except (OverflowError, ValueError):
            raise serializers.ValidationError(MSG_DATETIME) from None
        return value

    def to_internal_value(self, data):
        # The institution and the home municipality in one query (the field validators below read it).
        codes = set()
        if isinstance(data, dict):
            person = data.get("person")
            for code in (
                data.get("institution"),
                person.get("home_municipality") if isinstance(person, dict) else None,
            ):
                if isinstance(code, str) and code.strip():
                    codes.add(code.strip())
        self.organisations = {
            (o.kind, o.code): o
            for o in (
                Organisation.objects.filter(
                    code__in=codes, is_active=True, kind__in=[OrgKind.MUNICIPALITY, OrgKind.KRFO_INSTITUTION]
                )
                if codes
                else ()
            )
        }
        return super().to_internal_value(data)

    def validate_institution(self, value: str):
        institution = self.organisations.get((OrgKind.KRFO_INSTITUTION, value.strip()))
        if institution is None:
            raise serializers.ValidationError(MSG_UNKNOWN_INSTITUTION % {"code": value[:64]})
        return institution

    def validate(self, attrs):
        kind = attrs["type"]
        label = CustodyEventType(kind).label.lower()
        errors: dict = {}

        def require(*path):
            data = attrs
            for name in path[:-1]:
                data = data.get(name) or {}
            if path[-1] not in data:
                target = errors
                for name in path[:-1]:
                    target = target.setdefault(name, {})
                target[path[-1]] = [MSG_REQUIRED_FOR % {"type": label}]

        if kind == CustodyEventType.ADMISSION:
            for name in ("institution", "custody_type"):
                require(name)
            for name in ("home_municipality", "pension", "benefits"):
                require("person", name)
        elif kind == CustodyEventType.TRANSFER:
            require("institution")
        elif kind == CustodyEventType.RELEASE_DATE_CHANGE:
            if not attrs.get("expected_release"):
                errors["expected_release"] = [MSG_REQUIRED_FOR % {"type": label}]
        elif kind == CustodyEventType.RELEASE and not attrs.get("release"):
            errors["release"] = [MSG_REQUIRED_FOR % {"type": label}]
        birth = dates.birth_date_of(attrs["person"].get("cpr"))
        try:
            dates.check_birth(attrs["occurred_at"], birth=birth)
        except DjangoValidationError as error:
            errors.setdefault("occurred_at", []).extend(error.messages)
        expected_date = (attrs.get("expected_release") or {}).get("date")
        if expected_date is not None:
            try:
                dates.check_birth(expected_date, birth=birth)
            except DjangoValidationError as error:
                errors.setdefault("expected_release", {}).setdefault("date", []).extend(error.messages)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def reported_event(data: dict) -> ReportedEvent:
    """The validated body as the custody services take it (custody.services.ReportedEvent)."""
    person = data["person"]
    expected = data.get("expected_release") or {}
    release = data.get("release") or {}
    return ReportedEvent(
        kind=data["type"],
        cpr=person["cpr"],
        occurred_at=data["occurred_at"],
        name=person.get("name") or "",
        first_name=person.get("first_name") or "",
        last_name=person.get("last_name") or "",
        address=person["address"] if person.get("address") is not None else UNCHANGED,
        home_municipality=person.get("home_municipality"),
        pension=person.get("pension") or "",
        benefits=tuple(person.get("benefits") or ()),
        institution=data.get("institution"),
        custody_type=data.get("custody_type") or "",
        expected_release=expected.get("date"),
        certainty=expected.get("certainty"),
        release_kind=release.get("kind") or "",
        address_after=release.get("address_after") or "",
    )


def canonical_body(data: dict) -> dict:
    """The validated body as plain JSON values, with defaults filled in: equal bodies give equal JSON.

    Instants in UTC (09:30+01:00 and 08:30Z are the same), codes for organisations, benefits in the
    canonical order, the CPR number as 10 digits.
    """
    person = data["person"]
    municipality = person.get("home_municipality", "(omitted)")
    expected, release = data.get("expected_release"), data.get("release")
    institution = data.get("institution")
    return {
        "external_id": data["external_id"],
        "type": data["type"],
        "occurred_at": data["occurred_at"].astimezone(UTC).isoformat(),
        "institution": institution.code if institution is not None else None,
        "custody_type": data.get("custody_type"),
        "person": {
            "cpr": person["cpr"],
            "name": " ".join((person.get("name") or "").split()),
            "first_name": (person.get("first_name") or "").strip(),
            "last_name": (person.get("last_name") or "").strip(),
            "address": person["address"].strip() if person.get("address") is not None else None,
            "home_municipality": getattr(municipality, "code", municipality),
            "pension": person.get("pension"),
            "benefits": [b for b in Benefit.values if b in person["benefits"]] if "benefits" in person else None,
        },
        "expected_release": (
            {"date": expected["date"].isoformat() if expected["date"] else None, "certainty": expected["certainty"]}
            if expected
            else None
        ),
        "release": (
            {"kind": release["kind"], "address_after": (release.get("address_after") or "").strip()}
            if release
            else None
        ),
    }


def body_hash(data: dict) -> str:
    text = json.dumps(canonical_body(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# -- The result -----------------------------------------------------------------------------------------


class ResultInstitutionSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Institutionens kode.")
    name = serializers.CharField(read_only=True, help_text="Institutionens navn.")


class ExpectedReleaseOutSerializer(serializers.Serializer):
    date = serializers.DateField(
        source="expected_release_date", read_only=True, allow_null=True, help_text="Tom, når den er ukendt."
    )
    certainty = serializers.ChoiceField(
        source="release_certainty", choices=ReleaseCertainty.choices, read_only=True, help_text="Sikkerheden."
    )


class ResultEpisodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Forløbets id (samme id som i underretningerne).")
    status = serializers.ChoiceField(
        choices=[("open", "Indsat"), ("closed", "Løsladt")], read_only=True, help_text="open (indsat) eller closed."
    )
    url = serializers.SerializerMethodField(help_text="Forløbet i Samarbejde (for Kriminalforsorgens medarbejdere).")
    institution = ResultInstitutionSerializer(read_only=True, help_text="Nuværende institution.")
    custody_type = serializers.ChoiceField(choices=CustodyType.choices, read_only=True)
    admitted_at = serializers.DateTimeField(read_only=True)
    expected_release = ExpectedReleaseOutSerializer(source="*", read_only=True)
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)
    release_kind = serializers.CharField(read_only=True, help_text="Løsladelsesform (tom indtil løsladelsen).")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("custody:episode_detail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ResultEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Hændelsens id på forløbets tidslinje.")
    kind = serializers.CharField(read_only=True, help_text="Hændelsen: samme værdi som `type`.")
    occurred_at = serializers.DateTimeField(read_only=True)


class ResultDepartmentSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text="Afdelingens type, f.eks. ydelse eller borgerservice.")
    name = serializers.CharField(read_only=True, help_text="Afdelingens navn.")


class ResultRecipientSerializer(serializers.Serializer):
    code = serializers.CharField(source="recipient_organisation.code", read_only=True, help_text="Modtagerens kode.")
    name = serializers.CharField(source="recipient_organisation.name", read_only=True, help_text="Modtagerens navn.")
    department = ResultDepartmentSerializer(
        source="recipient_department", read_only=True, allow_null=True, help_text="Afdelingen (tom når ukendt)."
    )


class ResultLegalBasisSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text="Bestemmelsens faste nøgle i kataloget.")
    act = serializers.CharField(source="act.short_name", read_only=True, help_text="Lovens korte navn.")
    act_title = serializers.CharField(source="act.title", read_only=True, help_text="Lovens fulde titel.")
    paragraph = serializers.CharField(source="reference", read_only=True, help_text="Bestemmelsen, f.eks. '§ 31'.")
    reference = serializers.CharField(read_only=True, help_text="Samme som `paragraph` (som i underretningerne).")
    citation = serializers.CharField(source="act.citation", read_only=True, help_text="Kildehenvisning.")
    url = serializers.CharField(source="act.url", read_only=True, help_text="Link til Retsinformation.")


class ResultNotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Underretningens id (GET /api/v1/notifications/{id}/).")
    kind = serializers.CharField(read_only=True, help_text="Underretningens type.")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="Typen på dansk.")
    rule = serializers.CharField(read_only=True, help_text="Reglens faste id, f.eks. admission.benefits.")
    rule_version = serializers.IntegerField(read_only=True, help_text="Reglens version.")
    recipient = ResultRecipientSerializer(source="*", read_only=True)
    legal_basis = ResultLegalBasisSerializer(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="Frist for kvittering eller svar.")
    needs_answer = serializers.BooleanField(read_only=True, help_text="Om modtageren skal svare.")


class CustodyEventResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=CustodyEventType.choices, read_only=True)
    episode = ResultEpisodeSerializer(read_only=True)
    event = ResultEventSerializer(read_only=True)
    notifications = ResultNotificationSerializer(
        many=True, read_only=True, help_text="De underretninger, der er sendt."
    )
    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Hvad der ikke kunne sendes (dansk tekst)."
    )


class ValidationProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details with field errors (for the schema only)."""

    type = serializers.CharField(help_text="Fejltypen; altid about:blank.")
    title = serializers.CharField(help_text="Kort beskrivelse af fejlen.")
    status = serializers.IntegerField(help_text="HTTP-statuskoden.")
    detail = serializers.CharField(help_text="Forklaring på dansk.")
    errors = serializers.JSONField(
        required=False,
        help_text='Fejl pr. felt, med samme struktur som indholdet, f.eks. {"person": {"cpr": ["…"]}}.',
    )
