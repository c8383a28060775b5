"""A shared handleplan for the municipality's case system (API key): only the areas shared with it, every read
audited with the key's service user as actor. The notice that shared the plan (action_plans.shared) goes out
by webhook like every notice and names the plan's page."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from samarbejde.action_plans.access import MUNICIPAL, side_of
from samarbejde.action_plans.selectors import plan_page, visible_areas
from samarbejde.api.action_plan_serializers import ActionPlanSerializer
from samarbejde.api.models import ApiScope
from samarbejde.api.notification_views import COMMON_ERRORS, ApiKeyView, _problem
from samarbejde.audit.services import audit_record
from samarbejde.people.fields import Context, field_view

MSG_PLAN_NOT_FOUND = "Handleplanen findes ikke, eller den er ikke delt med organisationen."


class ActionPlanDetailView(ApiKeyView):
    required_scope = ApiScope.NOTIFICATIONS_READ

    @extend_schema(
        operation_id="action_plans_retrieve",
        summary="En delt handleplan",
        description=(
            "Kriminalforsorgens handleplan, som den er delt med API-nøglens kommune: kun de delte områder (på "
            "lovgrundlag eller på et samtykke, der gælder nu), med indsatser, frister og status. Id'et står i "
            "underretningen om delingen. Hver læsning logges. Kræver rettigheden notifications:read."
        ),
        tags=["Handleplaner"],
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Handleplanens id.")],
        responses={
            200: ActionPlanSerializer,
            (404, "application/problem+json"): _problem(MSG_PLAN_NOT_FOUND),
            **COMMON_ERRORS,
        },
    )
    def get(self, request, pk):
        if side_of(request.user) != MUNICIPAL:
            raise NotFound(MSG_PLAN_NOT_FOUND)
        try:
            plan = plan_page(request.user, pk)
        except Http404:
            raise NotFound(MSG_PLAN_NOT_FOUND) from None
        audit_record(
            "action_plans.api_read",
            acting_user=request.user,
            person=plan.person,
            obj=plan,
            purpose="API: delt handleplan",
        )
        context = {"fields": field_view(request.user, Context.NOTICE), "areas": visible_areas(plan)}
        return Response(ActionPlanSerializer(plan, context=context).data)
