"""The shared handleplan as a municipality's case system reads it: only the areas shared with it (on a legal
basis, or on a consent that is live now), the person by the field policy (people.fields, Context.NOTICE)."""

from rest_framework import serializers

from samarbejde.api.serializers import OrganisationRefSerializer


class PlanActionSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Indsatsens id.")
    description = serializers.CharField(read_only=True, help_text="Indsatsen.")
    responsible_kind = serializers.ChoiceField(
        read_only=True,
        choices=["krfo_unit", "municipal_department", "client", "other"],
        help_text="Hvem der er ansvarlig: en enhed i Kriminalforsorgen, en afdeling i kommunen, klienten, en anden.",
    )
    responsible = serializers.CharField(source="responsible_label", read_only=True, help_text="Den ansvarlige.")
    due_on = serializers.DateField(read_only=True, help_text="Frist.")
    status = serializers.ChoiceField(
        read_only=True, choices=["not_started", "in_progress", "done", "declined"], help_text="Status."
    )
    decline_reason = serializers.CharField(read_only=True, help_text="Begrundelse, hvis indsatsen er afslået.")
    notes = serializers.CharField(read_only=True, help_text="Noter.")
    added_by = OrganisationRefSerializer(read_only=True, help_text="Organisationen, der tilføjede indsatsen.")


class PlanAreaSerializer(serializers.Serializer):
    category = serializers.CharField(read_only=True, help_text="Områdets nøgle (consent.categories), fx housing.")
    label = serializers.CharField(source="get_category_display", read_only=True, help_text="Området på dansk.")
    share_basis = serializers.ChoiceField(
        read_only=True, choices=["legal", "consent"], help_text="Delt på lovgrundlag eller på borgerens samtykke."
    )
    assessment = serializers.CharField(read_only=True, help_text="Vurdering ved indkomst.")
    goals = serializers.CharField(read_only=True, help_text="Mål.")
    actions = serializers.SerializerMethodField(help_text="Områdets indsatser.")

    def get_actions(self, obj) -> PlanActionSerializer(many=True):
        return PlanActionSerializer(list(obj.actions.all()), many=True).data


class PlanPersonSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, help_text="Klientens navn.")
    cpr = serializers.CharField(read_only=True, help_text="CPR-nummer efter feltpolitikken (10 cifre).")


class ActionPlanSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True, help_text="Handleplanens id.")
    status = serializers.ChoiceField(read_only=True, choices=["draft", "written", "done"], help_text="Status.")
    version = serializers.IntegerField(read_only=True, help_text="Versionsnummer (stiger ved hver ændring).")
    person = serializers.SerializerMethodField(help_text="Klienten.")
    institution = OrganisationRefSerializer(source="episode.institution", read_only=True, help_text="Institutionen.")
    responsible = serializers.SerializerMethodField(help_text="Den handleplansansvarlige hos Kriminalforsorgen.")
    municipal_plan_reference = serializers.CharField(
        read_only=True, help_text="Henvisning til kommunens egen handleplan (serviceloven § 141)."
    )
    areas = serializers.SerializerMethodField(help_text="De områder, der er delt med kommunen nu.")
    updated_at = serializers.DateTimeField(read_only=True)

    def get_person(self, obj) -> PlanPersonSerializer:
        fields = self.context["fields"]
        return {
            "name": obj.person.full_name if fields.name else "",
            "cpr": fields.cpr_value(obj.person.cpr, formatted=False),
        }

    def get_responsible(self, obj) -> str:
        return obj.responsible.display_name if obj.responsible_id else ""

    def get_areas(self, obj) -> PlanAreaSerializer(many=True):
        return PlanAreaSerializer(self.context["areas"], many=True).data
