"""A task for the correlation tests: it records the correlation id it runs under in an audit event."""

from django.tasks import task

from samarbejde.audit.services import audit_record
from samarbejde.core.tasks import correlated


@task()
@correlated
def record_correlation(label: str) -> str:
    event = audit_record("core.test_task", acting_user=None, purpose=label)
    return str(event.correlation_id)
