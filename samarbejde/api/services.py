"""API keys: create (shown once), revoke, check a presented key; the per-organisation service user. And
custody events from KRFO's client system (custody_event_receive), idempotent by external_id.

A key's requests act as the organisation's service user (username `api:<organisation code>`, no usable
password) with a membership fitting the organisation kind, so every access function and audit event works
as for a person. The audit label of that user names the key (see ApiKeyUser).
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from samarbejde.api.models import ApiKey, ApiScope, CustodyEventRecord
from samarbejde.audit.models import AuditEvent
from samarbejde.audit.services import audit_record
from samarbejde.core.context import get_correlation_id
from samarbejde.core.transactions import service_atomic
from samarbejde.custody import services as custody_services
from samarbejde.notifications import services as notification_services
from samarbejde.organisations.models import Membership, Organisation
from samarbejde.organisations.roles import OrgKind, Role
from samarbejde.organisations.services import membership_grant

KEY_PREFIX = "smb"
SERVICE_USERNAME_PREFIX = "api:"
# The role a key's requests act with, by organisation kind.
SERVICE_ROLE_FOR_KIND: dict[str, str] = {
    OrgKind.MUNICIPALITY: Role.MUNICIPAL_CASE_WORKER,
    OrgKind.UDBETALING_DANMARK: Role.UDK_OFFICER,
    OrgKind.KRFO_INSTITUTION: Role.KRFO_CASE_WORKER,
    OrgKind.PROBATION_OFFICE: Role.KRFO_CASE_WORKER,
    OrgKind.KRFO_CENTRAL: Role.KRFO_CASE_WORKER,
    OrgKind.YOUTH_UNIT: Role.YOUTH_SUPERVISOR,
    OrgKind.POLICE_DISTRICT: Role.POLICE_OFFICER,
}
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute per key

MSG_UNKNOWN_SCOPE = "Ukendt rettighed: %(scope)s. Gyldige: %(valid)s."
MSG_NO_SCOPE = "Angiv mindst én rettighed."
MSG_NO_SERVICE_ROLE = "Der kan ikke udstedes API-nøgler til denne type organisation."
MSG_BAD_DAYS = "Gyldighed skal være mellem 1 og 3650 dage."


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """'smb_<prefix>_<secret>' -> (prefix, secret), or None for anything else."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2] or len(parts[1]) > 16:
        return None
    return parts[1], parts[2]


def clean_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes or []))
    if not scopes:
        raise ValidationError(MSG_NO_SCOPE, code="no_scope")
    for scope in scopes:
        if scope not in ApiScope.values:
            raise ValidationError(
                MSG_UNKNOWN_SCOPE, code="unknown_scope", params={"scope": scope, "valid": ", ".join(ApiScope.values)}
            )
    return scopes


@transaction.atomic
def api_key_create(
    organisation: Organisation, *, scopes, name: str = "", days: int | None = None, acting_user=None
) -> tuple[ApiKey, str]:
    """Issue a key; returns (key, the whole key as text). The text is never stored: show it once."""
    scopes = clean_scopes(scopes)
    if organisation.kind not in SERVICE_ROLE_FOR_KIND:
        raise ValidationError(MSG_NO_SERVICE_ROLE, code="no_service_role")
    if days is not None and not (1 <= days <= 3650):
        raise ValidationError(MSG_BAD_DAYS, code="bad_days")
    secret = secrets.token_urlsafe(32)
    for _ in range(5):
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    key = ApiKey.objects.create(
        organisation=organisation,
        name=(name or "")[:120],
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        "api.key_create",
        acting_user=acting_user,
        obj=key,
        organisation=organisation,
        purpose="API-nøgle udstedt",
        details={"prefix": prefix, "scopes": scopes},
    )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(key: ApiKey, *, acting_user=None) -> ApiKey:
    """Revoke a key (idempotent: revoking twice keeps the first time)."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            "api.key_revoke",
            acting_user=acting_user,
            obj=locked,
            organisation=locked.organisation,
            purpose="API-nøgle tilbagekaldt",
            details={"prefix": locked.prefix},
        )
    return locked


def api_key_check(raw: str) -> ApiKey | None:
    """The valid (known, not revoked, not expired) key for the presented text, else None. One query."""
    parts = split_key(raw)
    if parts is None:
        return None
    prefix, secret = parts
    key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    now = timezone.now()
    if not key.is_valid_at(now) or not key.organisation.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def service_username(organisation: Organisation) -> str:
    return f"{SERVICE_USERNAME_PREFIX}{organisation.code}"


def service_membership_for(organisation: Organisation) -> Membership:
    """The organisation's service user membership (with `.user`): one query; created on first use."""
    role = SERVICE_ROLE_FOR_KIND[organisation.kind]
    username = service_username(organisation)
    membership = (
        Membership.objects.select_related("user", "organisation", "department")
        .filter(user__username=username, organisation=organisation, role=role, is_active=True, department=None)
        .first()
    )
    if membership is not None:
        return membership
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": "API", "last_name": organisation.name[:150], "is_service_account": True},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            membership_grant(user, organisation=organisation, role=role)
    except IntegrityError:  # a concurrent first request created it
        pass
    return Membership.objects.select_related("user", "organisation", "department").get(
        user__username=username, organisation=organisation, role=role, department=None
    )


# -- Custody events from KRFO's client system ------------------------------------------------------------
# The dispatch (which custody service per event type, the person's open episode by CPR number, a new person's
# name) is custody's (custody.services.custody_event_apply); here only the idempotency of the request.

MSG_EXTERNAL_ID_CONFLICT = (
    "external_id %(external_id)s er allerede brugt til en hændelse med et andet indhold. "
    "Brug et nyt external_id til en ny hændelse."
)


@dataclass(frozen=True)
class CustodyEventResult:
    """The answer to a custody event: 201 with a new result, or 200 with the first one (a replay). `body` is
    the JSON text stored with the record, so a replay returns exactly the same bytes."""

    status: int
    body: str


def custody_event_receive(
    report: custody_services.ReportedEvent,
    *,
    external_id: str,
    digest: str,
    api_key: ApiKey,
    acting_user,
    render: Callable[[object], dict],
) -> CustodyEventResult:
    """One custody event through custody.services.custody_event_apply (the services the pages use), as the key's
    service user. Idempotent by external_id per sending organisation: the record of the first result is written
    in the services' transaction, and its unique constraint decides between concurrent duplicates. `digest` is
    the hash of the canonical request body; `render(outcome)` gives the response body (the API's serializer).

    Raises ValidationError (Danish, with a code: the services' own, no_open_episode, name_required,
    external_id_conflict), PermissionDenied, or IntegrityError when a concurrent change won without a record.
    """
    organisation = api_key.organisation
    record = _custody_event_record(organisation, external_id)
    if record is not None:
        return _custody_event_replay(record, digest)
    try:
        text = _custody_event_register(
            report, external_id=external_id, digest=digest, api_key=api_key, acting_user=acting_user, render=render
        )
    except (ValidationError, PermissionDenied, IntegrityError):
        # A concurrent duplicate may have won meanwhile (its commit made this one fail): its result.
        record = _custody_event_record(organisation, external_id)
        if record is not None:
            return _custody_event_replay(record, digest)
        raise
    return CustodyEventResult(201, text)


@service_atomic  # the event's services join this transaction (no savepoint each: core.transactions)
def _custody_event_register(report, *, external_id, digest, api_key, acting_user, render) -> str:
    outcome = custody_services.custody_event_apply(report, acting_user=acting_user)
    text = json.dumps(render(outcome), ensure_ascii=False)
    CustodyEventRecord.objects.create(
        organisation=api_key.organisation,
        api_key=api_key,
        external_id=external_id,
        type=report.kind,
        body_hash=digest,
        status_code=201,
        response=text,
        episode=outcome.episode,
        event=outcome.event,
    )
    return text


def _custody_event_record(organisation, external_id: str) -> CustodyEventRecord | None:
    return CustodyEventRecord.objects.filter(organisation=organisation, external_id=external_id).first()


def _custody_event_replay(record: CustodyEventRecord, digest: str) -> CustodyEventResult:
    if record.body_hash != digest:
        raise ValidationError(
            MSG_EXTERNAL_ID_CONFLICT, code="external_id_conflict", params={"external_id": record.external_id}
        )
    return CustodyEventResult(200, record.response)


# -- Answers from a client system -------------------------------------------------------------------------


def notification_answer_receive(
    notification, *, decisions: dict, text: str, acting_user, files=()
) -> tuple[object, bool]:
    """The answer through notifications.services.notification_answer, and whether this request wrote it.

    The service returns the first answer when the notice is answered already (also by a concurrent request
    that committed while this one waited), so "created" is read from the audit trail: the answer's audit
    event under this request's correlation id. A clock comparison gave two 201s for 7 simultaneous answers.
    """
    answer = notification_services.notification_answer(
        notification, decisions=decisions, text=text, files=files, acting_user=acting_user
    )
    created = AuditEvent.objects.filter(
        action="notifications.answer",
        object_id=str(notification.pk),
        correlation_id=get_correlation_id(),
        details__answer=str(answer.pk),
    ).exists()
    return answer, created
