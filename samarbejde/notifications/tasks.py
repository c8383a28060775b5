"""Periodic tasks of the notifications context; thin: the work is in notifications.services.

Log lines carry counts only, never personal data.
"""

import logging
from dataclasses import asdict

from django.tasks import task

from samarbejde.core.tasks import correlated
from samarbejde.notifications.services import attachments_remove_orphans, deadline_sweep

logger = logging.getLogger(__name__)


@task(queue_name="periodic")
@correlated
def notifications_deadline_sweep() -> dict:
    """The periodic entry point (every NOTIFICATION_SWEEP_SECONDS): returns the counts."""
    result = deadline_sweep()
    if result.overdue or result.reminded or result.escalated:
        logger.info(
            "deadline sweep: %d overdue, %d reminded, %d escalated",
            result.overdue,
            result.reminded,
            result.escalated,
        )
    return asdict(result)


@task(queue_name="periodic")
@correlated
def attachments_cleanup() -> int:
    """Remove attachment files that no row refers to (left by a rolled-back answer), older than an hour."""
    removed = attachments_remove_orphans()
    logger.info("Attachment cleanup removed %d orphaned file(s).", removed)
    return removed
