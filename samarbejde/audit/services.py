"""Writing the audit trail. Services call these for writes; views and selectors for reads.

Action names are `app.verb` (e.g. `people.view`, `organisations.change_request_approve`). Purpose is
free text in Danish for the data subject's report. Never put CPR numbers or names in `details`.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import get_correlation_id

# The events of the current audit_batch(), written when it ends; None outside one.
_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch():
    """Write the audit events recorded inside in one INSERT when the block ends (in the caller's transaction,
    which must be open: the events then commit or roll back with the change they record). A business event
    that passes through several services (the API's admission: search, person, episode, links, notices) costs
    one round trip for its audit trail instead of one per service. Nested blocks join the outer one; a block
    left by an exception writes nothing (its transaction rolls back anyway)."""
    if _batch.get() is not None:
        yield
        return
    events: list[AuditEvent] = []
    token = _batch.set(events)
    try:
        yield
    finally:
        _batch.reset(token)
    if events:
        AuditEvent.objects.bulk_create(events)


def _write(events: list[AuditEvent]) -> list[AuditEvent]:
    pending = _batch.get()
    if pending is not None:
        pending.extend(events)
        return events
    if len(events) == 1:
        events[0].save()
        return events
    return AuditEvent.objects.bulk_create(events)


def _actor_fields(acting_user, organisation=None) -> dict:
    membership = getattr(acting_user, "active_membership", None) if acting_user is not None else None
    organisation = organisation or (membership.organisation if membership else None)
    is_user = acting_user is not None and getattr(acting_user, "is_authenticated", False) and acting_user.pk
    return {
        "actor": acting_user if is_user else None,
        "actor_label": (acting_user.get_username() if is_user else str(acting_user or "system"))[:200],
        "organisation": organisation,
        "organisation_label": (organisation.display_name if organisation else "")[:200],
        "role": membership.role if membership else "",
    }


def _object_fields(obj) -> dict:
    if obj is None:
        return {"object_type": "", "object_id": ""}
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}


def audit_record(
    action: str,
    *,
    acting_user,
    person=None,
    obj=None,
    purpose: str = "",
    organisation=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one audit event (a write or a read), under the current correlation id (inside audit_batch():
    written when the batch ends)."""
    event = AuditEvent(
        action=action,
        person=person,
        purpose=purpose[:300],
        correlation_id=get_correlation_id(),
        details=details or {},
        **_actor_fields(acting_user, organisation),
        **_object_fields(obj),
    )
    return _write([event])[0]


def audit_record_many(records: Iterable[dict], *, acting_user) -> list[AuditEvent]:
    """Append several audit events by one actor in one statement, in the order given. Each record holds
    `action` and optionally `person` (or `person_id`), `obj`, `purpose` and `details`, as for audit_record. A service that
    writes many rows in one event (e.g. the notices of an admission) uses this so its cost does not grow by a
    round trip per row."""
    base = _actor_fields(acting_user)
    correlation_id = get_correlation_id()
    events = [
        AuditEvent(
            action=record["action"],
            **({"person_id": record["person_id"]} if "person_id" in record else {"person": record.get("person")}),
            purpose=record.get("purpose", "")[:300],
            correlation_id=correlation_id,
            details=record.get("details") or {},
            **base,
            **_object_fields(record.get("obj")),
        )
        for record in records
    ]
    return _write(events) if events else events


def audit_read_many(action: str, *, acting_user, persons: Iterable, purpose: str = "") -> int:
    """One event per person shown on a list page, written in one statement."""
    base = _actor_fields(acting_user)
    correlation_id = get_correlation_id()
    events = [
        AuditEvent(
            action=action,
            person=person,
            purpose=purpose[:300],
            correlation_id=correlation_id,
            object_type=person._meta.label_lower,
            object_id=str(person.pk),
            **base,
        )
        for person in persons
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
