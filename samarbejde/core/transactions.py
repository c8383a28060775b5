"""One transaction per business event, however many services it passes through.

`service_atomic` is transaction.atomic for a service: the outermost service (called by a view, a task, a test
or other code) gets its transaction, or a savepoint inside its caller's; a service called by another service
joins that one's transaction without a savepoint of its own. A nested service's failure is its caller's
failure: it propagates, and the outer service's savepoint (or transaction) rolls the whole event back, so the
inner savepoint bought nothing but two round trips (SAVEPOINT, RELEASE) per service per request. A service
that catches another service's error and carries on must not call it through this (none does).
"""

import functools
from contextvars import ContextVar

from django.db import transaction

_depth: ContextVar[int] = ContextVar("service_depth", default=0)


def service_atomic(func):
    @functools.wraps(func)
    def inner(*args, **kwargs):
        nested = _depth.get() > 0
        token = _depth.set(_depth.get() + 1)
        try:
            with transaction.atomic(savepoint=not nested):
                return func(*args, **kwargs)
        finally:
            _depth.reset(token)

    return inner
