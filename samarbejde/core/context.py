"""One correlation id per request or command, shared by every audit event it writes.

A ContextVar (not a thread-local) so that it is right in threads, tasks and async code alike.
"""

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

_correlation_id: ContextVar[uuid.UUID | None] = ContextVar("correlation_id", default=None)


def get_correlation_id() -> uuid.UUID:
    """The current correlation id; a fresh one is started when none is set (e.g. in a shell)."""
    value = _correlation_id.get()
    if value is None:
        value = uuid.uuid4()
        _correlation_id.set(value)
    return value


@contextlib.contextmanager
def correlation(value: uuid.UUID | None = None) -> Iterator[uuid.UUID]:
    """Run a block (a request, a command, a task) under one correlation id."""
    token = _correlation_id.set(value or uuid.uuid4())
    try:
        yield _correlation_id.get()
    finally:
        _correlation_id.reset(token)
