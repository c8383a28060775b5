"""The public JSON API (read-only directory) and its server-rendered documentation page.

No login: the directory is public information. Thin views: selectors read, serializers shape.
"""

import json
from functools import lru_cache

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from samarbejde.api.serializers import MunicipalityDetailSerializer, MunicipalitySerializer, ProblemSerializer
from samarbejde.organisations import selectors as org_selectors

MSG_MUNICIPALITY_NOT_FOUND = "Kommunen findes ikke."

PROBLEM_404 = OpenApiResponse(
    response=ProblemSerializer,
    description="Kommunen findes ikke (problem+json).",
    examples=[
        OpenApiExample(
            "Ukendt kommunekode",
            value={"type": "about:blank", "title": "Ikke fundet", "status": 404, "detail": MSG_MUNICIPALITY_NOT_FOUND},
        )
    ],
)


class PublicAPIView(APIView):
    """Public, read-only: no authentication (so no session or CSRF), anyone may read."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class MunicipalityListView(PublicAPIView):
    @extend_schema(
        operation_id="municipalities_list",
        summary="Alle kommuner",
        description=(
            "Alle 98 kommuner sorteret efter navn, hver med kommunekode, region, politikreds og link til "
            "kommunens offentlige side. Ingen sideinddeling. Listen kan indsnævres med parametrene."
        ),
        tags=["Kommuner"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Søg i kommunens navn eller på kommunekode."),
            OpenApiParameter("region", OpenApiTypes.STR, description="Kun kommuner i regionen med denne kode."),
            OpenApiParameter(
                "police_district", OpenApiTypes.STR, description="Kun kommuner i politikredsen med denne kode."
            ),
        ],
        responses={200: OpenApiResponse(MunicipalitySerializer(many=True), description="Kommunerne.")},
    )
    def get(self, request):
        municipalities = org_selectors.municipality_search(
            query=request.query_params.get("q", "")[:100],
            region=request.query_params.get("region", "")[:10],
            police_district=request.query_params.get("police_district", "")[:10],
        )
        return Response(MunicipalitySerializer(municipalities, many=True, context={"request": request}).data)


class MunicipalityDetailView(PublicAPIView):
    @extend_schema(
        operation_id="municipalities_retrieve",
        summary="Én kommune med kontakter",
        description=(
            "Kommunen med region og politikreds, kommunens kontakter for hver funktion (hovedkontakt, "
            "indsættelse, løsladelse, varetægt og exit) og Kriminalforsorgens kontaktpersoner for kommunen."
        ),
        tags=["Kommuner"],
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Kommunekode (3 cifre), f.eks. 101."
            )
        ],
        responses={
            200: OpenApiResponse(MunicipalityDetailSerializer, description="Kommunen og dens kontakter."),
            (404, "application/problem+json"): PROBLEM_404,
        },
    )
    def get(self, request, code: str):
        municipality = org_selectors.municipalities().filter(code=code[:10]).first()
        if municipality is None:
            raise NotFound(MSG_MUNICIPALITY_NOT_FOUND)
        municipality.directory_contacts = org_selectors.municipality_contacts(municipality)
        municipality.krfo_directory_contacts = org_selectors.krfo_contacts_for(municipality)
        return Response(MunicipalityDetailSerializer(municipality, context={"request": request}).data)


# -- The documentation page -------------------------------------------------------------------------

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
STATUS_TEXT = {"200": "OK", "201": "Oprettet", "400": "Fejl i forespørgslen", "404": "Findes ikke"}


def _schema_type(schema: dict) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"liste af {_schema_type(schema.get('items', {}))}"
    return schema.get("type", "")


def _resolve(schema: dict, components: dict) -> dict:
    """Follow a $ref (also the single-$ref allOf drf-spectacular writes next to a description)."""
    schema = schema or {}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        schema = {**_resolve(schema["allOf"][0], components), **{k: v for k, v in schema.items() if k != "allOf"}}
    if "$ref" in schema:
        schema = {
            **components.get(schema["$ref"].rsplit("/", 1)[-1], {}),
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    return schema


def _plain_description(text: str) -> str:
    # drf-spectacular appends "* `value` - Label" lines for enums; the docs page lists the values itself.
    return (text or "").split("\n\n* `", 1)[0].strip()


def _body_fields(schema: dict, components: dict, prefix: str = "", depth: int = 0) -> list[dict]:
    """The request body's fields, nested objects flattened to dotted names (person.cpr)."""
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        prop = _resolve(prop, components)
        item = _resolve(prop.get("items", {}), components) if prop.get("type") == "array" else {}
        enum = [str(v) for v in (prop.get("enum") or item.get("enum") or []) if v not in ("", None)]
        kind = prop.get("type", "object" if "properties" in prop else "")
        if kind == "array":
            kind = f"liste af {item.get('type', '')}".strip()
        elif prop.get("format"):
            kind = f"{kind} ({prop['format']})"
        fields.append(
            {
                "name": f"{prefix}{name}",
                "type": kind,
                "required": name in required,
                "nullable": bool(prop.get("nullable")),
                "values": enum,
                "description": _plain_description(prop.get("description", "")),
            }
        )
        if "properties" in prop and depth < 3:
            fields += _body_fields(prop, components, f"{prefix}{name}.", depth + 1)
    return fields


def _request(operation: dict, components: dict) -> dict | None:
    body = operation.get("requestBody")
    if not body:
        return None
    content = body.get("content", {})
    media_type, media = next(iter(content.items()), ("", {}))
    return {
        "media_type": media_type,
        "fields": _body_fields(media.get("schema", {}), components),
        "examples": [
            {"name": example.get("summary") or name, "json": json.dumps(example["value"], ensure_ascii=False, indent=2)}
            for name, example in media.get("examples", {}).items()
        ],
    }


def _response_examples(operation: dict) -> list[dict]:
    examples, seen = [], set()
    for code, response in operation.get("responses", {}).items():
        for media in response.get("content", {}).values():
            for name, example in media.get("examples", {}).items():
                if name in seen:
                    continue
                seen.add(name)
                examples.append(
                    {
                        "name": example.get("summary") or name,
                        "code": code,
                        "json": json.dumps(example["value"], ensure_ascii=False, indent=2),
                    }
                )
    return examples


@lru_cache(maxsize=1)
def api_operations() -> tuple[dict, list[dict]]:
    """The generated OpenAPI schema, flattened for the docs page (computed once per process)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "anchor": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "location": {"path": "sti", "query": "forespørgsel"}.get(p["in"], p["in"]),
                            "required": p.get("required", False),
                            "type": _schema_type(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "code": code,
                            "description": response.get("description", STATUS_TEXT.get(code, "")),
                            "media_types": list(response.get("content", {}).keys()),
                        }
                        for code, response in operation.get("responses", {}).items()
                    ],
                    "request": _request(operation, components),
                    "response_examples": _response_examples(operation),
                }
            )
    return schema.get("info", {}), operations


def docs(request):
    """The API documentation as a plain Danish page (no Swagger UI: strict CSP and axe)."""
    info, operations = api_operations()
    return render(
        request,
        "api/docs.html",
        {
            "info": info,
            "operations": operations,
            "schema_url": reverse("api:schema"),
            "example_url": request.build_absolute_uri(reverse("api:municipality_detail", args=["101"])),
            "list_url": request.build_absolute_uri(reverse("api:municipality_list")),
            "custody_events_url": request.build_absolute_uri(reverse("api:custody_event_create")),
            # Webhook events name the configured site, not the host this page was asked on.
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )
