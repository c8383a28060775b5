"""Keep personal data out of the logs: request paths are logged without their query strings, and CPR-looking
digit runs in them are replaced.

`RedactRequestPathFilter` is installed on every handler in settings.LOGGING (a handler's filter sees every
record that reaches it, propagated ones included): runserver's request lines (`django.server`, "GET /x?q=..
HTTP/1.1"), Django's "Not Found: /x" lines (`django.request`) and the project's own loggers. Only the path-like
parts of a message are rewritten; other text is left alone, so that a CPR number logged by mistake elsewhere
is still caught by the test suite's log check (tests/privacy/logcheck.py) instead of being hidden.
"""

import logging
import re

# Six digits, an optional dash, four digits: how a CPR number is written (ddmmåå-xxxx or ddmmååxxxx). ASCII
# digits only (re's \d also matches other scripts' digits, which are no CPR number: people.cpr refuses them).
CPR_LIKE = re.compile(r"[0-9]{6}-?[0-9]{4}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CPR_PLACEHOLDER = "[cpr]"
QUERY_PLACEHOLDER = "?[...]"
# A path as it appears in a log line: starts with "/" and runs to the next blank or quote.
PATH = re.compile(r"(?<![\w/])/[^\s\"'<>]*")


def contains_cpr(text: str) -> bool:
    """True when `text` holds a CPR-looking digit run outside any UUID (ids in URLs are no CPR numbers)."""
    return bool(CPR_LIKE.search(UUID.sub("-", text)))


def redact_path(path: str) -> str:
    """`/revision/?cpr=0101901234` -> `/revision/?[...]`; CPR-looking runs in the path itself -> `[cpr]`."""
    path, has_query, _query = path.partition("?")
    uuids: list[str] = []

    def keep_uuid(match: re.Match) -> str:
        uuids.append(match.group(0))
        return f"\0{len(uuids) - 1}\0"

    shielded = UUID.sub(keep_uuid, path)
    redacted = CPR_LIKE.sub(CPR_PLACEHOLDER, shielded)
    redacted = re.sub(r"\0(\d+)\0", lambda m: uuids[int(m.group(1))], redacted)
    return redacted + (QUERY_PLACEHOLDER if has_query else "")


def redact_paths(message: str) -> str:
    """Every path-like token of a log message redacted (see redact_path)."""
    return PATH.sub(lambda m: redact_path(m.group(0)), message)


class RedactRequestPathFilter(logging.Filter):
    """Rewrites each record's message so that request paths carry no query string and no CPR-looking digits.

    Never drops a record. The message is formatted once (msg % args) and stored back without args, so every
    handler and formatter after this one sees the redacted text. A traceback is formatted and redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's business, not ours
            return True
        redacted = redact_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_paths(logging.Formatter().formatException(record.exc_info))
        return True
