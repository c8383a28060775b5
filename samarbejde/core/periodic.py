"""The schedule of periodic tasks, as data that each app adds to (its AppConfig.ready): core knows none of them.

`manage.py scheduler` enqueues each entry every `every_seconds` (read from its setting when the schedule is
read, so a setting changed in a test or a deployment applies); `db_worker` processes run them.
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


@dataclass(frozen=True)
class _Entry:
    task_path: str
    default_seconds: int
    setting: str = ""
    purpose: str = ""

    def resolve(self) -> PeriodicTask:
        seconds = getattr(settings, self.setting, self.default_seconds) if self.setting else self.default_seconds
        return PeriodicTask(self.task_path, int(seconds))


_REGISTRY: dict[str, _Entry] = {}


def register_periodic(task_path: str, *, every_seconds: int, setting: str = "", purpose: str = "") -> None:
    """An app's periodic task: enqueued every `every_seconds` (or the integer setting `setting`). Registering the
    same task again replaces it (apps are made ready once; tests may reload)."""
    _REGISTRY[task_path] = _Entry(task_path, every_seconds, setting, purpose)


def schedule() -> list[PeriodicTask]:
    """Core's own heartbeat, then every app's periodic tasks in the order the apps registered them."""
    heartbeat = PeriodicTask("samarbejde.core.tasks.worker_heartbeat", settings.WORKER_HEARTBEAT_SECONDS)
    return [heartbeat, *(entry.resolve() for entry in _REGISTRY.values())]
