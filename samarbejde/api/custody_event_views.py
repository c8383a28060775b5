"""POST /api/v1/custody-events/: KRFO's client system registers admissions, conversions, transfers, release
date changes and releases, so nobody types them twice.

The view checks the key, validates the body, calls api.services.custody_event_receive (the same custody
services as the pages, idempotent by external_id) and turns the services' Danish ValidationErrors into
problem details. The schema (examples, responses) is documented here.
"""

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from samarbejde.api import services as api_services
from samarbejde.api.custody_event_serializers import (
    CustodyEventInputSerializer,
    CustodyEventResultSerializer,
    ValidationProblemSerializer,
    body_hash,
    reported_event,
)
from samarbejde.api.exceptions import Problem
from samarbejde.api.models import ApiScope
from samarbejde.api.notification_views import COMMON_ERRORS, TOO_LARGE, ApiKeyView, _problem
from samarbejde.api.parsers import LimitedJSONParser
from samarbejde.api.services import MSG_EXTERNAL_ID_CONFLICT
from samarbejde.custody.services import MSG_ALREADY_IN_CUSTODY, MSG_NO_OPEN_EPISODE
from samarbejde.organisations.roles import Cap
from samarbejde.people.services import MSG_CPR_EXISTS

MSG_NOT_KRFO = "Kun API-nøgler udstedt til Kriminalforsorgens enheder kan indberette hændelser om frihedsberøvelse."
MSG_CONCURRENT = "Hændelsen kolliderede med en samtidig ændring af samme person eller forløb. Send den igen."

# The custody services' ValidationError codes: the HTTP status and the body field each is about.
# 400: the body is wrong in itself; 422: it is well-formed, but the episode's state does not allow it.
SERVICE_ERRORS: dict[str, tuple[int, tuple[str, ...] | None]] = {
    "date_required": (400, ("occurred_at",)),
    # core.dates' window, checked by the services too (the serializer usually answers first, with 400).
    "date_out_of_range": (400, ("occurred_at",)),
    "date_before_birth": (400, ("occurred_at",)),
    "date_too_old": (400, ("occurred_at",)),
    "date_too_far_ahead": (400, ("expected_release", "date")),
    "date_in_future": (422, ("occurred_at",)),
    "before_admission": (422, ("occurred_at",)),
    "expected_before_admission": (422, ("expected_release", "date")),
    "expected_too_far": (422, ("expected_release", "date")),
    "certainty": (400, ("expected_release", "certainty")),
    "certainty_without_date": (400, ("expected_release", "certainty")),
    "not_krfo_institution": (400, ("institution",)),
    "custody_type": (400, ("custody_type",)),
    "release_kind": (400, ("release", "kind")),
    "address_too_long": (400, ("release", "address_after")),
    "same_institution": (422, ("institution",)),
    "no_change": (422, ("expected_release",)),
    "already_in_custody": (422, None),
    "episode_closed": (422, None),
    "already_sentence": (422, None),
    # api.services' own, for what only the API can get wrong.
    "name_required": (400, ("person", "name")),
    "no_open_episode": (404, ("person", "cpr")),
    "external_id_conflict": (409, ("external_id",)),
}
# people.services' field-keyed errors, by the body field they are about.
PERSON_FIELDS = {
    "cpr": ("person", "cpr"),
    "first_name": ("person", "name"),
    "last_name": ("person", "name"),
    "home_municipality": ("person", "home_municipality"),
    "pension": ("person", "pension"),
    "benefits": ("person", "benefits"),
    "address": ("person", "address"),
}


def _nest(errors: dict, path: tuple[str, ...], messages: list[str]) -> dict:
    target = errors
    for name in path[:-1]:
        target = target.setdefault(name, {})
    target.setdefault(path[-1], []).extend(messages)
    return errors


def problem_from_validation(exc: DjangoValidationError) -> Problem:
    """A service's Danish ValidationError as problem details: the message as `detail`, the field in `errors`."""
    if hasattr(exc, "error_dict"):
        errors: dict = {}
        status = 400
        for field, field_errors in exc.error_dict.items():
            messages = [message for error in field_errors for message in error.messages]
            if MSG_CPR_EXISTS in messages:  # created by a concurrent request: sending again finds the person
                status, messages = 409, [MSG_CONCURRENT]
            _nest(errors, PERSON_FIELDS.get(field, ("person", field)), messages)
        first = next(iter(errors["person"].values())) if "person" in errors else [""]
        return Problem(first[0] or "Forespørgslen indeholder fejl.", status=status, errors=errors)
    message = exc.messages[0] if exc.messages else "Forespørgslen indeholder fejl."
    code = getattr(exc.error_list[0], "code", None) if exc.error_list else None
    status, path = SERVICE_ERRORS.get(code, (422, None))
    return Problem(message, status=status, errors=_nest({}, path, [message]) if path else None, code=code)


# -- The schema: examples -------------------------------------------------------------------------------

_PERSON = {
    "cpr": "0101901234",
    "name": "Hans Peter Jensen",
    "address": "Testvej 1, 2450 København SV",
    "home_municipality": "101",
    "pension": "none",
    "benefits": ["kontanthjaelp"],
}
REQUEST_EXAMPLES = [
    OpenApiExample(
        "Indsættelse",
        request_only=True,
        value={
            "external_id": "klient-2026-000123",
            "type": "admission",
            "occurred_at": "2026-11-27T09:30:00+01:00",
            "institution": "krfo-koebenhavns-faengsler",
            "custody_type": "remand",
            "person": _PERSON,
            "expected_release": {"date": "2027-03-01", "certainty": "estimated"},
        },
    ),
    OpenApiExample(
        "Varetægt ændret til afsoning",
        request_only=True,
        value={
            "external_id": "klient-2026-000124",
            "type": "conversion",
            "occurred_at": "2026-12-15T13:00:00+01:00",
            "person": {"cpr": "0101901234"},
        },
    ),
    OpenApiExample(
        "Overførsel",
        request_only=True,
        value={
            "external_id": "klient-2026-000125",
            "type": "transfer",
            "occurred_at": "2027-01-05T10:00:00+01:00",
            "institution": "krfo-storstroem",
            "person": {"cpr": "0101901234"},
        },
    ),
    OpenApiExample(
        "Ændret forventet løsladelse",
        request_only=True,
        value={
            "external_id": "klient-2026-000126",
            "type": "release_date_change",
            "occurred_at": "2027-01-10T09:00:00+01:00",
            "person": {"cpr": "0101901234"},
            "expected_release": {"date": "2027-02-15", "certainty": "decided"},
        },
    ),
    OpenApiExample(
        "Løsladelse",
        request_only=True,
        value={
            "external_id": "klient-2026-000127",
            "type": "release",
            "occurred_at": "2027-02-15T08:00:00+01:00",
            "person": {"cpr": "0101901234"},
            "release": {"kind": "end_of_sentence", "address_after": "Testvej 1, 2450 København SV"},
        },
    ),
]
RESULT_EXAMPLE = {
    "external_id": "klient-2026-000123",
    "type": "admission",
    "episode": {
        "id": "5f0c6f7e-2b3a-4c8e-9a61-0d1e2f3a4b5c",
        "status": "open",
        "url": "https://samarbejde.example/klienter/forloeb/5f0c6f7e-2b3a-4c8e-9a61-0d1e2f3a4b5c/",
        "institution": {"code": "krfo-koebenhavns-faengsler", "name": "Københavns Fængsler"},
        "custody_type": "remand",
        "admitted_at": "2026-11-27T09:30:00+01:00",
        "expected_release": {"date": "2027-03-01", "certainty": "estimated"},
        "released_at": None,
        "release_kind": "",
    },
    "event": {
        "id": "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
        "kind": "admission",
        "occurred_at": "2026-11-27T09:30:00+01:00",
    },
    "notifications": [
        {
            "id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
            "kind": "benefits_decision_request",
            "kind_display": "Anmodning om afgørelse om ydelser",
            "recipient": {
                "code": "101",
                "name": "Københavns Kommune",
                "department": {"kind": "ydelse", "name": "Ydelse"},
            },
            "legal_basis": {
                "act": "Cirkulæreskrivelse om indberetning",
                "act_title": (
                    "Cirkulæreskrivelse om indberetning til de sociale myndigheder m.fl. om indsættelse og løsladelse"
                ),
                "paragraph": "",
                "reference": "",
                "citation": "CIS nr. 11319 af 19. august 1994",
                "url": "",
            },
            "due_date": "2026-12-11",
            "needs_answer": True,
        },
        {
            "id": "8e7d6c5b-4a39-4281-b0f9-e8d7c6b5a493",
            "kind": "cpr_register_notice",
            "kind_display": "Meddelelse til folkeregisteret",
            "recipient": {
                "code": "101",
                "name": "Københavns Kommune",
                "department": {"kind": "borgerservice", "name": "Borgerservice (folkeregister)"},
            },
            "legal_basis": {
                "act": "Folkeregistercirkulæret",
                "act_title": (
                    "Cirkulære om meddelelse til folkeregistrene vedrørende indsatte i kriminalforsorgens institutioner"
                ),
                "paragraph": "",
                "reference": "",
                "citation": "CIR nr. 87 af 9. august 1985",
                "url": "",
            },
            "due_date": "2026-12-02",
            "needs_answer": False,
        },
    ],
    "warnings": [],
}


def _problem_example(name: str, status: int, title: str, detail: str, errors: dict | None = None):
    value = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        value["errors"] = errors
    return OpenApiExample(
        name, value=value, response_only=True, status_codes=[str(status)], media_type="application/problem+json"
    )


ENDPOINT_DESCRIPTION = """\
Kriminalforsorgens klientsystem indberetter en hændelse om en frihedsberøvelse. Samarbejde registrerer den \
med de samme regler som indsættelsessiderne og sender underretningerne til kommuner, Udbetaling Danmark og \
politi. Svaret viser forløbet, hændelsen og hver underretning med modtager (kode og afdeling), retsgrundlag \
(lov og paragraf) og frist.

Typer (`type`) og hvad de kræver ud over `external_id`, `occurred_at` og `person.cpr`:
`admission` (indsættelse): `institution`, `custody_type`, `person.home_municipality`, `person.pension`, \
`person.benefits` og for en ny person `person.name`; valgfrit `expected_release`.
`conversion` (varetægt ændret til afsoning): intet andet.
`transfer` (overførsel): `institution` (den nye institution).
`release_date_change` (ændret forventet løsladelse): `expected_release`.
`release` (løsladelse): `release`.
Andre hændelser end indsættelsen gælder personens igangværende forløb.

Idempotens: `external_id` er entydigt pr. afsendende organisation. Første gang: 201 med resultatet. Samme \
indhold igen: 200 med præcis det første svar, og intet registreres igen. Andet indhold med et brugt \
`external_id`: 409. En forespørgsel med fejl gemmes ikke, så den kan rettes og sendes igen med samme \
`external_id`.

Fejl: 400 når indholdet er forkert (felter, koder, CPR-nummer, datoformat), 422 når forløbets tilstand ikke \
tillader hændelsen (f.eks. allerede indsat, ikke indsat, dato før indsættelsen), 409 ved et genbrugt \
`external_id`, 413 når indholdet fylder mere end 1 MB. Fejl pr. felt står i `errors`. Kræver rettigheden custody-events:write og en nøgle udstedt \
til en af Kriminalforsorgens enheder."""


class CustodyEventView(ApiKeyView):
    required_scope = ApiScope.CUSTODY_EVENTS_WRITE
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="custody_events_create",
        summary="Indberet en hændelse om frihedsberøvelse",
        description=ENDPOINT_DESCRIPTION,
        tags=["Frihedsberøvelse"],
        request=CustodyEventInputSerializer,
        examples=[
            *REQUEST_EXAMPLES,
            OpenApiExample("Registreret", value=RESULT_EXAMPLE, response_only=True, status_codes=["201", "200"]),
            _problem_example(
                "Ugyldigt CPR-nummer",
                400,
                "Forkert forespørgsel",
                "Forespørgslen indeholder fejl: person.cpr: Et CPR-nummer har 10 cifre (ddmmåå-xxxx). Du har "
                "skrevet 9 cifre.",
                {"person": {"cpr": ["Et CPR-nummer har 10 cifre (ddmmåå-xxxx). Du har skrevet 9 cifre."]}},
            ),
            _problem_example(
                "Genbrugt external_id",
                409,
                "Konflikt",
                MSG_EXTERNAL_ID_CONFLICT % {"external_id": "klient-2026-000123"},
                {"external_id": [MSG_EXTERNAL_ID_CONFLICT % {"external_id": "klient-2026-000123"}]},
            ),
            _problem_example(
                "Ikke indsat i jeres institution",
                404,
                "Ikke fundet",
                MSG_NO_OPEN_EPISODE,
                {"person": {"cpr": [MSG_NO_OPEN_EPISODE]}},
            ),
            _problem_example("Allerede indsat", 422, "Kan ikke behandles", MSG_ALREADY_IN_CUSTODY),
        ],
        responses={
            201: OpenApiResponse(CustodyEventResultSerializer, description="Hændelsen er registreret."),
            200: OpenApiResponse(
                CustodyEventResultSerializer,
                description="Samme hændelse (samme external_id og indhold) var allerede registreret: det første svar.",
            ),
            (400, "application/problem+json"): OpenApiResponse(
                ValidationProblemSerializer, description="Indholdet er forkert; fejl pr. felt i `errors`."
            ),
            **COMMON_ERRORS,
            **TOO_LARGE,
            (403, "application/problem+json"): _problem(
                "API-nøglen mangler rettigheden custody-events:write eller er ikke udstedt til Kriminalforsorgen, "
                "eller indsættelsen er i en anden institution end nøglens."
            ),
            (404, "application/problem+json"): OpenApiResponse(
                ValidationProblemSerializer,
                description="Personen har intet igangværende forløb i nøglens institution (også når personen er "
                "indsat i en anden institution: den oplysning gives ikke).",
            ),
            (409, "application/problem+json"): OpenApiResponse(
                ValidationProblemSerializer,
                description="external_id er brugt til en hændelse med et andet indhold (eller en samtidig ændring).",
            ),
            (415, "application/problem+json"): _problem("Indholdet skal sendes som application/json."),
            (422, "application/problem+json"): OpenApiResponse(
                ValidationProblemSerializer,
                description="Forløbets tilstand tillader ikke hændelsen (forklaring på dansk).",
            ),
        },
    )
    def post(self, request):
        membership = request.user.active_membership
        # The custody services' own check (KRFO organisation, may register persons), made before the body
        # is read: a municipality's key learns nothing about the persons.
        if not membership.organisation.is_krfo or not membership.can(Cap.PERSON_REGISTER):
            raise PermissionDenied(MSG_NOT_KRFO)
        serializer = CustodyEventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = api_services.custody_event_receive(
                reported_event(data),
                external_id=data["external_id"],
                digest=body_hash(data),
                api_key=request.auth,
                acting_user=request.user,
                render=_render(request, data),
            )
        except (DjangoValidationError, DjangoPermissionDenied, IntegrityError) as exc:
            raise _as_problem(exc) from None
        return Response(json.loads(result.body), status=result.status)


def _as_problem(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return problem_from_validation(exc)
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or MSG_NOT_KRFO)
    return Problem(MSG_CONCURRENT, status=409, code="concurrent")  # IntegrityError


def _render(request, data: dict):
    def render(outcome) -> dict:
        return CustodyEventResultSerializer(
            {
                "external_id": data["external_id"],
                "type": data["type"],
                "episode": outcome.episode,
                "event": outcome.event,
                "notifications": outcome.notifications,
                "warnings": outcome.warnings,
            },
            context={"request": request},
        ).data

    return render
