"""Outbox tasks: send right after commit, and the periodic sweeper (samarbejde.core.periodic)."""

import logging

from django.tasks import task

from samarbejde.core.tasks import correlated

from .services import deliveries_process

logger = logging.getLogger(__name__)


@task()
@correlated
def deliveries_send(delivery_ids: list[str]) -> dict[str, int]:
    """Enqueued after the commit that created (or retried) the deliveries."""
    return deliveries_process(delivery_ids)


@task(queue_name="periodic")
@correlated
def deliveries_sweep(limit: int = 500) -> dict[str, int]:
    """Claim every due delivery: new ones whose enqueue was lost, failed ones whose retry time has come,
    and ones stuck in "sending" after a worker crashed."""
    counts = deliveries_process(limit=limit)
    if counts:
        logger.info("delivery sweep: %s", counts)
    return counts
