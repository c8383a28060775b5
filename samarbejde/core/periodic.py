"""The schedule of periodic tasks, as data: later issues add their sweepers and reminders here.

`manage.py scheduler` enqueues each entry every `every_seconds`; `db_worker` processes run them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicTask:
    task_path: str
    every_seconds: int

    def enqueue(self):
        return import_string(self.task_path).enqueue()


def schedule() -> list[PeriodicTask]:
    return [
        PeriodicTask("samarbejde.core.tasks.worker_heartbeat", settings.WORKER_HEARTBEAT_SECONDS),
        # Mark overdue notices, remind before the due date, escalate after it (issue 3, deadlines).
        PeriodicTask(
            "samarbejde.notifications.tasks.notifications_deadline_sweep",
            getattr(settings, "NOTIFICATION_SWEEP_SECONDS", 900),
        ),
        # Files of answers whose transaction rolled back after the upload (issue 3, attachments).
        PeriodicTask("samarbejde.notifications.tasks.attachments_cleanup", 3600),
        # The outbox sweeper: due, failed and stuck deliveries (issue 4, delivery).
        PeriodicTask("samarbejde.delivery.tasks.deliveries_sweep", getattr(settings, "DELIVERY_SWEEP_SECONDS", 60)),
    ]
