"""Periodic tasks of the handleplan (registered in apps.ready); thin: the work is in action_plans.services.

Log lines carry counts only, never personal data.
"""

import logging

from django.tasks import task

from samarbejde.action_plans.services import deadline_sweep
from samarbejde.core.tasks import correlated

logger = logging.getLogger(__name__)


@task(queue_name="periodic")
@correlated
def action_plans_deadline_sweep() -> int:
    """Reminders before and escalations after the plan's deadline (action_plans.services.deadline_sweep)."""
    sent = deadline_sweep()
    logger.info("action plan deadline sweep: %s steps sent", sent)
    return sent
