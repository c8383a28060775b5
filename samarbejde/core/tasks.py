"""Periodic housekeeping tasks run by the task worker."""

from django.tasks import TaskContext, task
from django.utils import timezone

from samarbejde.core.models import WorkerHeartbeat


@task(queue_name="periodic", takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    """Record that a worker picked a task off the queue and ran it (read by /healthz).

    Runs through the real queue, so a fresh beat proves enqueue -> database -> worker all work.
    """
    worker_ids = getattr(context.task_result, "worker_ids", None) or ["immediate"]
    worker = worker_ids[-1]
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": timezone.now()})
    return worker
