"""Notifications for machine clients (API keys): list, read, acknowledge, answer.

The same access functions and services as the inbox: a key sees what its organisation's staff see, every
read of personal data is audited with the key's service user as actor (its label names the key).
"""

import base64
import binascii
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http_status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, Throttled
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from samarbejde.api import services as api_services
from samarbejde.api.authentication import ApiKeyAuthentication
from samarbejde.api.models import ApiScope
from samarbejde.api.permissions import HasApiKeyScope
from samarbejde.api.serializers import (
    AnswerInputSerializer,
    AnswerSerializer,
    NotificationSerializer,
    ProblemSerializer,
)
from samarbejde.api.throttling import ApiKeyRateThrottle
from samarbejde.audit.services import audit_read_many
from samarbejde.notifications import services as notification_services
from samarbejde.notifications.access import access_notification_by_id
from samarbejde.notifications.models import NotificationStatus
from samarbejde.notifications.selectors import notification_answer_of, notifications_inbox
from samarbejde.people.fields import Context, field_view

MSG_NOT_FOUND = "Underretningen findes ikke."
MSG_BAD_STATUS = "Ukendt status: %(value)s. Gyldige værdier: %(valid)s."
MSG_BAD_UPDATED_SINCE = "updated_since skal være et tidspunkt i ISO 8601, f.eks. 2026-11-27T09:30:00+01:00."
MSG_NAIVE_UPDATED_SINCE = (
    "updated_since mangler en tidszone. Angiv den, f.eks. 2026-11-27T09:30:00+01:00 (URL-kodet: %2B01:00) eller "
    "2026-11-27T08:30:00Z, eller angiv kun en dato (2026-11-27)."
)
MSG_THROTTLED = "For mange forespørgsler med denne API-nøgle. Prøv igen om %(wait)s sekunder."
MSG_INVALID = "Forespørgslen indeholder fejl."
MSG_BAD_BASE64 = "Filen »%(name)s« er ikke gyldig base64. Send filens indhold base64-kodet i content_base64."


class BadRequest(APIException):
    status_code = 400
    default_detail = MSG_INVALID
    default_code = "invalid"


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ProblemSerializer, description=description)


COMMON_ERRORS = {
    (401, "application/problem+json"): _problem("API-nøglen mangler, er ukendt, udløbet eller tilbagekaldt."),
    (403, "application/problem+json"): _problem("API-nøglen har ikke den nødvendige rettighed."),
    (429, "application/problem+json"): _problem("For mange forespørgsler med denne API-nøgle."),
}
# Bodies over API_MAX_BODY_BYTES (samarbejde.api.parsers and .middleware).
TOO_LARGE = {
    (413, "application/problem+json"): _problem("Indholdet fylder for meget (højst API_MAX_BODY_BYTES, 1 MB).")
}
NOT_FOUND = {(404, "application/problem+json"): _problem(MSG_NOT_FOUND)}
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Underretningens id.")


class NotificationCursorPagination(CursorPagination):
    """Stable order for synchronisation: oldest change first, ties broken by id. The index
    notification_recipient_sync (recipient_organisation, updated_at, id) gives this order, and the cursor's
    position is its range condition (ADR 0013): a page reads the page's rows, not the organisation's."""

    ordering = ("updated_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "Ugyldig cursor."


class ApiKeyView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]
    required_scope = ApiScope.NOTIFICATIONS_READ

    def throttled(self, request, wait):
        seconds = int(wait) + 1 if wait is not None else 60
        raise Throttled(wait=wait, detail=MSG_THROTTLED % {"wait": seconds})

    def serializer_context(self) -> dict:
        return {"fields": field_view(self.request.user, Context.NOTICE)}

    def get_notification(self, pk, action: str = "view"):
        try:
            return access_notification_by_id(self.request.user, pk, action=action)
        except Http404:
            raise NotFound(MSG_NOT_FOUND) from None


def _parse_updated_since(value: str) -> datetime | None:
    if not value:
        return None
    try:
        day = parse_date(value)  # a date alone: from midnight, Danish time
        moment = datetime(day.year, day.month, day.day) if day else parse_datetime(value)
    except ValueError:
        day = moment = None
    if moment is None:
        raise BadRequest(MSG_BAD_UPDATED_SINCE)
    if day is None and timezone.is_naive(moment):  # a time without a time zone is ambiguous: say which
        raise BadRequest(MSG_NAIVE_UPDATED_SINCE)
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: Python accepts offsets up to ±24 hours, PostgreSQL only up to ±15:59 (found by schemathesis).
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # e.g. year 1 with a negative offset
        raise BadRequest(MSG_BAD_UPDATED_SINCE) from None


def _decoded_files(items) -> list:
    """The answer's files as uploads for notifications.attachments (which checks type, size and count)."""
    files = []
    for item in items:
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(MSG_BAD_BASE64 % {"name": item["name"][:80]}) from None
        files.append(SimpleUploadedFile(item["name"], content, content_type="application/octet-stream"))
    return files


def _django_error_text(exc: DjangoValidationError) -> str:
    return " ".join(exc.messages) or MSG_INVALID


class NotificationListView(ApiKeyView):
    pagination_class = NotificationCursorPagination

    @extend_schema(
        operation_id="notifications_list",
        summary="Underretninger til organisationen",
        description=(
            "Underretningerne til API-nøglens organisation, ældste ændring først (sorteret efter updated_at og "
            "id, så rækkefølgen er stabil). Sideinddelt med cursor: følg `next`. Til løbende synkronisering: "
            "gem det seneste `updated_at` og spørg med `updated_since`. Kræver rettigheden notifications:read."
        ),
        tags=["Underretninger"],
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(NotificationStatus.values),
                description="Kun underretninger med denne status i dag.",
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description=(
                    "Kun underretninger ændret på eller efter dette tidspunkt (ISO 8601 med tidszone, f.eks. "
                    "2026-11-27T08:30:00Z), eller fra denne dato (åååå-mm-dd, fra midnat dansk tid)."
                ),
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Markør fra `next` eller `previous`."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Antal pr. side (højst 200, standard 50)."),
        ],
        responses={
            200: NotificationSerializer(many=True),
            (400, "application/problem+json"): _problem("Ugyldig status eller updated_since."),
            (404, "application/problem+json"): _problem("Ugyldig cursor."),
            **COMMON_ERRORS,
        },
    )
    def get(self, request):
        status = request.query_params.get("status", "")
        if status and status not in NotificationStatus.values:
            raise BadRequest(MSG_BAD_STATUS % {"value": status[:40], "valid": ", ".join(NotificationStatus.values)})
        updated_since = _parse_updated_since(request.query_params.get("updated_since", ""))
        qs = notifications_inbox(request.user, status=status)
        if updated_since is not None:
            qs = qs.filter(updated_at__gte=updated_since)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        if page:
            audit_read_many(
                "notifications.list", acting_user=request.user, persons=[n.person for n in page], purpose="API"
            )
        # Each item is the whole notice (the feed a recipient's system files notices from): the notice's policy.
        data = NotificationSerializer(page, many=True, context=self.serializer_context()).data
        return paginator.get_paginated_response(data)


class NotificationDetailView(ApiKeyView):
    @extend_schema(
        operation_id="notifications_retrieve",
        summary="Én underretning",
        description=(
            "Underretningen med indhold, retsgrundlag, frist og status. Hver læsning logges; første læsning "
            "markerer den som læst. Kræver rettigheden notifications:read."
        ),
        tags=["Underretninger"],
        parameters=[ID_PARAMETER],
        responses={200: NotificationSerializer, **NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, pk):
        notification = self.get_notification(pk)
        notification = notification_services.notification_mark_read(notification, acting_user=request.user)
        notification = self.get_notification(pk)  # with its relations joined again
        return Response(NotificationSerializer(notification, context=self.serializer_context()).data)


class NotificationAcknowledgeView(ApiKeyView):
    required_scope = ApiScope.NOTIFICATIONS_ANSWER

    @extend_schema(
        operation_id="notifications_acknowledge",
        summary="Kvittér for en underretning",
        description=(
            "Bekræfter modtagelsen. En gentagen kvittering ændrer intet og giver samme svar. "
            "Kræver rettigheden notifications:answer."
        ),
        tags=["Underretninger"],
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: NotificationSerializer, **NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request, pk):
        notification = self.get_notification(pk, action="acknowledge")
        try:
            notification_services.notification_acknowledge(notification, acting_user=request.user)
        except DjangoPermissionDenied:
            raise NotFound(MSG_NOT_FOUND) from None
        notification = self.get_notification(pk, action="acknowledge")
        return Response(NotificationSerializer(notification, context=self.serializer_context()).data)


class NotificationAnswerView(ApiKeyView):
    required_scope = ApiScope.NOTIFICATIONS_ANSWER

    @extend_schema(
        operation_id="notifications_answer",
        summary="Besvar en underretning",
        description=(
            "Afgørelser om ydelser (én pr. ydelse i underretningen) og en bemærkning, efter samme regler som i "
            "indbakken; til en anmodning om sagsakter eller oplysninger (§ 808) også filer (base64 i `files`). "
            "Svaret gives én gang: et nyt kald returnerer det første svar med status 200. "
            "Kræver rettigheden notifications:answer."
        ),
        tags=["Underretninger"],
        parameters=[ID_PARAMETER],
        request=AnswerInputSerializer,
        responses={
            201: OpenApiResponse(AnswerSerializer, description="Svaret er gemt."),
            200: OpenApiResponse(AnswerSerializer, description="Underretningen var allerede besvaret: det svar."),
            (400, "application/problem+json"): _problem("Svaret opfylder ikke reglerne (forklaring på dansk)."),
            **NOT_FOUND,
            **COMMON_ERRORS,
            **TOO_LARGE,
        },
    )
    def post(self, request, pk):
        notification = self.get_notification(pk, action="answer")
        existing = notification_answer_of(notification)
        if existing is not None:
            return Response(AnswerSerializer(existing).data, status=http_status.HTTP_200_OK)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decisions = {}
        for decision in serializer.validated_data["decisions"]:
            if decision["subject"] in decisions:
                raise BadRequest("Der er mere end én afgørelse om samme ydelse.")
            decisions[decision["subject"]] = {k: v for k, v in decision.items() if k != "subject"}
        files = _decoded_files(serializer.validated_data["files"])
        try:
            answer, created = api_services.notification_answer_receive(
                notification,
                decisions=decisions,
                text=serializer.validated_data["text"],
                files=files,
                acting_user=request.user,
            )
        except DjangoValidationError as exc:
            raise BadRequest(_django_error_text(exc)) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        # not created: a concurrent call answered first, and this is that answer
        answer = notification_answer_of(notification)
        return Response(
            AnswerSerializer(answer).data, status=http_status.HTTP_201_CREATED if created else http_status.HTTP_200_OK
        )
