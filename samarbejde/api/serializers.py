"""Read-only serializers for the public directory API (no personal data beyond what the public pages show)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from samarbejde.api.fields import DATE_ERRORS
from samarbejde.organisations.models import Contact, ContactFunction, Organisation, Region
from samarbejde.people.fields import Context, FieldView


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


# -- Notifications (API key clients) ------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Organisationens kode (kommuner: 3 cifre).")
    name = serializers.CharField(read_only=True, help_text="Organisationens navn.")


class DepartmentRefSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text="Afdelingens type, f.eks. ydelse eller jobcenter.")
    name = serializers.CharField(read_only=True, help_text="Afdelingens navn.")


class LegalBasisSerializer(serializers.Serializer):
    key = serializers.CharField(
        read_only=True, help_text="Bestemmelsens faste nøgle i kataloget, f.eks. 'social-pension:46' (ændres aldrig)."
    )
    act = serializers.CharField(source="act.short_name", read_only=True, help_text="Lovens korte navn.")
    act_title = serializers.CharField(source="act.title", read_only=True, help_text="Lovens fulde titel.")
    reference = serializers.CharField(read_only=True, help_text="Bestemmelsen, f.eks. '§ 31, stk. 2'.")
    citation = serializers.CharField(
        source="act.citation", read_only=True, help_text="Kildehenvisning, f.eks. 'LBKG nr. 1333 af 9. december 2019'."
    )
    url = serializers.CharField(source="act.url", read_only=True, help_text="Link til Retsinformation.")


class RuleSerializer(serializers.Serializer):
    """The registry rule that sent a notice (notifications.registry): its stable id and version."""

    id = serializers.CharField(source="rule", read_only=True, help_text="Reglens faste id, f.eks. admission.benefits.")
    version = serializers.IntegerField(source="rule_version", read_only=True, help_text="Reglens version.")
    title = serializers.SerializerMethodField(help_text="Hvad reglen er, på dansk.")
    deadline_source = serializers.SerializerMethodField(help_text="Hvor fristen kommer fra (lov eller produktvalg).")

    def get_title(self, obj) -> str:
        notice_type = obj.notice_type
        return notice_type.title if notice_type is not None else ""

    def get_deadline_source(self, obj) -> str:
        notice_type = obj.notice_type
        return notice_type.deadline.source if notice_type is not None else ""


class RefSerializer(serializers.Serializer):
    """A reference to a record of another part of Samarbejde (for the schema)."""

    type = serializers.CharField(read_only=True, help_text="Postens type, f.eks. custody.episode.")
    id = serializers.CharField(read_only=True, help_text="Postens id.")


class NotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Underretningens id.")
    kind = serializers.CharField(read_only=True, help_text="Underretningens type.")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="Typen på dansk.")
    rule = RuleSerializer(source="*", read_only=True, help_text="Reglen, der sendte underretningen.")
    status = serializers.SerializerMethodField(
        help_text="Status i dag: new, read, acknowledged, answered, overdue, withdrawn."
    )
    needs_answer = serializers.BooleanField(read_only=True, help_text="Om underretningen skal besvares.")
    recipient = OrganisationRefSerializer(source="recipient_organisation", read_only=True)
    department = DepartmentRefSerializer(source="recipient_department", read_only=True, allow_null=True)
    routing = serializers.CharField(
        source="route_label", read_only=True, help_text="Hvilken linje i modtagerens fordeling valgte enheden."
    )
    sender = OrganisationRefSerializer(source="sender_organisation", read_only=True, help_text="Afsenderen.")
    # Nullable: a notice of another matter (e.g. a shared handleplan, action_plans) has no episode.
    episode = serializers.SerializerMethodField(
        allow_null=True, help_text="Forløbets id (tom, hvis underretningen ikke hører til et)."
    )
    thread = serializers.SerializerMethodField(help_text="Sagen, underretningen hører til: type og id.")
    source = serializers.SerializerMethodField(help_text="Hændelsen, der udløste underretningen: type og id.")
    legal_basis = LegalBasisSerializer(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="Frist for kvittering eller svar.")
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    withdrawal_reason = serializers.CharField(read_only=True, help_text="Begrundelse, hvis den er trukket tilbage.")
    snapshot = serializers.SerializerMethodField(
        help_text=(
            "Indholdet, som det var da underretningen blev sendt, vist efter feltpolitikken (ADR 0011): samme "
            "felter som på underretningens side i Samarbejde. cpr: 10 cifre."
        )
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(
        serializers.ChoiceField(choices=["new", "read", "acknowledged", "answered", "overdue", "withdrawn"])
    )
    def get_status(self, obj) -> str:
        from samarbejde.notifications.selectors import notification_status

        return notification_status(obj)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_snapshot(self, obj) -> dict:
        # The view passes the viewer's field policy (people.fields, Context.NOTICE); without one, no person field.
        fields = self.context.get("fields") or FieldView(role=None, context=Context.NOTICE)
        return fields.snapshot(obj.snapshot)

    @staticmethod
    def _ref(content_type_id, pk) -> dict:
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_id(content_type_id)  # cached: no query per row
        return {"type": f"{content_type.app_label}.{content_type.model}", "id": str(pk)}

    @extend_schema_field(OpenApiTypes.UUID)
    def get_episode(self, obj) -> str | None:
        ref = self._ref(obj.thread_type_id, obj.thread_id)
        return ref["id"] if ref["type"] == "custody.episode" else None

    @extend_schema_field(RefSerializer)
    def get_thread(self, obj) -> dict:
        return self._ref(obj.thread_type_id, obj.thread_id)

    @extend_schema_field(RefSerializer)
    def get_source(self, obj) -> dict:
        return self._ref(obj.source_type_id, obj.source_id)


class DecisionSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=20, help_text="Ydelsen eller pensionen afgørelsen gælder.")
    code = serializers.CharField(
        max_length=16, help_text="Afgørelsen: continued, stopped, reduced, rent_covered, no_benefit eller other."
    )
    text = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Uddybning (krævet ved other)."
    )
    effective_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages=DATE_ERRORS,
        help_text="Pr./til dato (åååå-mm-dd). Vinduet for datoen er reglens (samme som i indbakken).",
    )


class AnswerFileInputSerializer(serializers.Serializer):
    """A file attached to an answer (a request for case files, a § 808 information request), base64 in the JSON
    body: the API takes JSON only, so a file counts towards API_MAX_BODY_BYTES (larger files: the inbox)."""

    name = serializers.CharField(max_length=200, help_text="Filens navn med endelse, fx handleplan.pdf.")
    content_base64 = serializers.CharField(help_text="Filens indhold, base64-kodet (RFC 4648).")


class AnswerInputSerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True, required=False, default=list)
    text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=4000, help_text="Bemærkning i fri tekst."
    )
    files = AnswerFileInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Vedhæftede filer (kun hvor reglen tager filer: sagsakter og § 808-anmodninger). PDF, Word, "
        "ODT og billeder efter samme regler som i indbakken.",
    )


class AnswerFileSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, source="original_name")
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="Størrelse i byte.")


class AnswerSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    text = serializers.CharField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True, source="decisions.all")
    files = AnswerFileSerializer(many=True, read_only=True, default=list, help_text="De vedhæftede filer.")
