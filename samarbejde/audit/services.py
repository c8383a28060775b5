"""Writing the audit trail. Services call these for writes; views and selectors for reads.

Action names are `app.verb` (e.g. `people.view`, `organisations.change_request_approve`). Purpose is
free text in Danish for the data subject's report. Never put CPR numbers or names in `details`.
"""

from collections.abc import Iterable

from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import get_correlation_id


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
    """Append one audit event (a write or a read), under the current correlation id."""
    return AuditEvent.objects.create(
        action=action,
        person=person,
        purpose=purpose[:300],
        correlation_id=get_correlation_id(),
        details=details or {},
        **_actor_fields(acting_user, organisation),
        **_object_fields(obj),
    )


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
    return AuditEvent.objects.bulk_create(events)


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
