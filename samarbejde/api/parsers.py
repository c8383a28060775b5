"""The API's JSON parser: a size limit and a nesting limit before the body is decoded, Danish errors.

Python's json module recurses once per nesting level: `[` x 100,000 raised RecursionError (a 500). The nesting
is counted first, without recursion; the body is read at most API_MAX_BODY_BYTES (+1) bytes far.
Too large: 413; too deep, not UTF-8, not JSON or with a NUL character in a string: 400. All as problem details (samarbejde.api.exceptions).
The default parser of every API view (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).
"""

import json
import re

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32

MSG_BAD_JSON = "Indholdet er ikke gyldig JSON. Send et JSON-objekt med Content-Type: application/json."
MSG_TOO_LARGE = "Indholdet fylder for meget: højst %(limit)s pr. forespørgsel. Send mindre pr. forespørgsel."
MSG_TOO_DEEP = "Indholdet er indlejret for dybt: JSON må højst have %(limit)d niveauer af objekter og lister."
MSG_NOT_UTF8 = "Indholdet er ikke gyldig UTF-8-tekst. Send JSON kodet som UTF-8."
MSG_NUL = "Indholdet indeholder et NUL-tegn (\\u0000), som ikke kan gemmes i en tekst. Fjern det, og send igen."

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def max_depth() -> int:
    return int(getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))


def size_label(size: int) -> str:
    """1048576 -> '1 MB', 1536 -> '1,5 kB', 100 -> '100 byte' (Danish decimal comma)."""
    for unit, factor in (("MB", 1024 * 1024), ("kB", 1024)):
        if size >= factor:
            value = round(size / factor, 1)
            return f"{value:g} {unit}".replace(".", ",")
    return f"{size} byte"


class BodyTooLarge(APIException):
    """413. Not samarbejde.api.exceptions.Problem: that module imports DRF's views, which import this one."""

    status_code = 413
    default_code = "too_large"


def too_large() -> BodyTooLarge:
    return BodyTooLarge(MSG_TOO_LARGE % {"limit": size_label(max_body_bytes())})


def nesting_depth(text: str, limit: int) -> int:
    """The deepest nesting of objects and lists in `text`, counted without recursion; stops counting (and
    returns) as soon as it exceeds `limit`. For JSON that is not well-formed the count is a guess: the parser
    refuses such text anyway."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in "]}":
            depth -= 1
    return deepest


def _reject_constant(value: str):
    raise ValueError(f"{value} is not JSON")  # NaN, Infinity: not JSON (RFC 8259)


def parse_json(raw: bytes):
    """The body as JSON, or raise BodyTooLarge (413) / ParseError (400) with a Danish message."""
    if len(raw) > max_body_bytes():
        raise too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(MSG_NOT_UTF8, code="not_utf8") from None
    limit = max_depth()
    if nesting_depth(text, limit) > limit:
        raise ParseError(MSG_TOO_DEEP % {"limit": limit}, code="too_deep")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ParseError(MSG_BAD_JSON, code="bad_json") from None
    if "\\u0000" in text.lower() and _has_nul(value):
        # PostgreSQL's text cannot hold NUL: a code or a name with one gave a database error (a 500) in a
        # look-up or a save. No real value has one, so the body is refused whole.
        raise ParseError(MSG_NUL, code="nul_character")
    return value


def _has_nul(value) -> bool:
    """Whether any string (key or value) in the parsed JSON holds NUL; iterative (the depth is limited anyway)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class LimitedJSONParser(JSONParser):
    """DRF's JSONParser with the limits above (UTF-8 only, as RFC 8259 requires)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return parse_json(stream.read(max_body_bytes() + 1))
