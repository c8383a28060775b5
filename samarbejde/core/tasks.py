"""Periodic housekeeping tasks run by the task worker, and how every task keeps its correlation id.

A task runs in its own correlation scope (samarbejde.core.context): the id of the request that enqueued it when
it was enqueued with `enqueue_correlated` (so one user action is one id across web and worker, in every audit
event), else a fresh one per run (a periodic task from the scheduler). Without this, every task a worker thread
ran would share the one id the thread happened to start with.
"""

import functools
import uuid

from django.tasks import TaskContext, task
from django.utils import timezone

from samarbejde.core.context import correlation, get_correlation_id
from samarbejde.core.models import WorkerHeartbeat


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def correlated(func):
    """Wrap a task function (apply before @task) so it runs under the enqueuing request's correlation id, passed
    as the keyword `correlation_id`, or under a fresh one."""

    @functools.wraps(func)
    def run(*args, correlation_id: str | None = None, **kwargs):
        with correlation(_as_uuid(correlation_id)):
            return func(*args, **kwargs)

    return run


def enqueue_correlated(task_, *args, **kwargs):
    """Enqueue a @correlated task with the current correlation id (the request's, or the command's)."""
    return task_.enqueue(*args, correlation_id=str(get_correlation_id()), **kwargs)


@task(queue_name="periodic", takes_context=True)
@correlated
def worker_heartbeat(context: TaskContext) -> str:
    """Record that a worker picked a task off the queue and ran it (read by /healthz).

    Runs through the real queue, so a fresh beat proves enqueue -> database -> worker all work.
    """
    worker_ids = getattr(context.task_result, "worker_ids", None) or ["immediate"]
    worker = worker_ids[-1]
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": timezone.now()})
    return worker
