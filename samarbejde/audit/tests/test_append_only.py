"""The audit trail is append-only: no update or delete through the model, the queryset, the admin or the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from samarbejde.audit.models import AppendOnlyError, AuditEvent
from samarbejde.audit.services import audit_read_many, audit_record
from samarbejde.audit.tests.factories import audit_event
from samarbejde.core.context import correlation

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(person):
    return audit_event("people.view", person=person, purpose="Oprindeligt formål")


def test_saving_an_existing_event_raises(event):
    event.purpose = "Ændret"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).purpose == "Oprindeligt formål"


def test_deleting_an_event_raises(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_raise(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="Ændret")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    # bulk_update runs in an atomic block without a savepoint: give it one, as a caller would.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["purpose"])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "Oprindeligt formål"


def test_update_or_create_cannot_change_an_event(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"purpose": "Ændret"})


def test_audit_record_appends_under_the_current_correlation_id(krfo_user, person):
    with correlation() as cid:
        first = audit_record("people.view", acting_user=krfo_user, person=person, obj=person, purpose="Opslag")
        count = audit_read_many("people.view", acting_user=krfo_user, persons=[person], purpose="Liste")
    assert count == 1
    events = AuditEvent.objects.filter(correlation_id=cid)
    assert events.count() == 2
    assert first.actor == krfo_user
    assert first.organisation.code == "krfo-koebenhavns-faengsler"
    assert first.role == "krfo_case_worker"
    assert first.action == "people.view"
    assert first.object_type == "people.person" and first.object_id == str(person.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET purpose = 'Ændret' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgresql_trigger_refuses_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "Oprindeligt formål"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_postgresql_trigger_allows_insert(person):
    before = AuditEvent.objects.count()
    audit_event("people.view", person=person)
    assert AuditEvent.objects.count() == before + 1
