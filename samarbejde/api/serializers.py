"""Read-only serializers for the public directory API (no personal data beyond what the public pages show)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from samarbejde.organisations.models import Contact, ContactFunction, Organisation, Region


class RegionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Regionskode fra DAWA, f.eks. 1084.")
    name = serializers.CharField(read_only=True, help_text="Regionens navn.")

    class Meta:
        model = Region
        fields = ["code", "name"]


class PoliceDistrictSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Politikredsens kode fra DAWA, f.eks. 1470.")
    name = serializers.CharField(read_only=True, help_text="Politikredsens navn.")

    class Meta:
        model = Organisation
        fields = ["code", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Kommunekode (3 cifre), f.eks. 101.")
    name = serializers.CharField(read_only=True, help_text="Kommunens navn.")
    region = RegionSerializer(read_only=True)
    police_district = PoliceDistrictSerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text="Kommunens offentlige side i Samarbejde.")
    api_url = serializers.SerializerMethodField(help_text="Kommunens adresse i API'et.")

    class Meta:
        model = Organisation
        fields = ["code", "name", "region", "police_district", "url", "api_url"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Organisation) -> str:
        return self._absolute(reverse("public:municipality_detail", args=[obj.code]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, obj: Organisation) -> str:
        return self._absolute(reverse("api:municipality_detail", args=[obj.code]))


class ContactSerializer(serializers.ModelSerializer):
    function = serializers.ChoiceField(
        choices=ContactFunction.choices,
        read_only=True,
        help_text="Funktionen, kontakten varetager.",
    )
    function_label = serializers.CharField(
        source="get_function_display", read_only=True, help_text="Funktionen på dansk."
    )

    class Meta:
        model = Contact
        fields = [
            "function",
            "function_label",
            "unit_name",
            "address",
            "secure_mailbox",
            "phone",
            "opening_hours",
            "notes",
        ]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="Enhedens kode, f.eks. krfo-kif-hovedstaden.")
    name = serializers.CharField(read_only=True, help_text="Enhedens navn.")

    class Meta:
        model = Organisation
        fields = ["code", "name"]


class KrfoContactSerializer(serializers.ModelSerializer):
    organisation = UnitSerializer(read_only=True, help_text="Kriminalforsorgens enhed.")

    class Meta:
        model = Contact
        fields = [
            "organisation",
            "unit_name",
            "person_name",
            "address",
            "secure_mailbox",
            "phone",
            "opening_hours",
            "notes",
        ]
        read_only_fields = fields


class MunicipalityDetailSerializer(MunicipalitySerializer):
    """A municipality with its directory; the view attaches `directory_contacts` and `krfo_directory_contacts`."""

    contacts = ContactSerializer(
        source="directory_contacts", many=True, read_only=True, help_text="Kommunens kontakter pr. funktion."
    )
    krfo_contacts = KrfoContactSerializer(
        source="krfo_directory_contacts",
        many=True,
        read_only=True,
        help_text="Kriminalforsorgens kontaktpersoner, der dækker kommunen.",
    )

    class Meta(MunicipalitySerializer.Meta):
        fields = [*MunicipalitySerializer.Meta.fields, "contacts", "krfo_contacts"]


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (for the schema only)."""

    type = serializers.CharField(help_text="Fejltypen; altid about:blank.")
    title = serializers.CharField(help_text="Kort beskrivelse af fejlen.")
    status = serializers.IntegerField(help_text="HTTP-statuskoden.")
    detail = serializers.CharField(help_text="Forklaring på dansk.")
