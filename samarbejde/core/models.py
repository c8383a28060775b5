import uuid

from django.db import models


class BaseModel(models.Model):
    """Base for domain models: a UUID key (no guessable ids in URLs) and created/updated stamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last time a task worker ran the heartbeat task; one row per worker name.

    /healthz reads it: a recent beat proves the whole path (enqueue -> database queue -> worker) works.
    """

    worker = models.CharField("worker", max_length=200, unique=True)
    beat_at = models.DateTimeField("seneste hjerteslag")

    class Meta:
        verbose_name = "hjerteslag fra opgave-worker"
        verbose_name_plural = "hjerteslag fra opgave-workers"

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
