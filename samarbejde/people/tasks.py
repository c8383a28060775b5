"""Periodic tasks of the people context; thin: the work is in people.services.

Log lines carry counts per rule only, never personal data.
"""

import logging

from django.tasks import task

from samarbejde.core.tasks import correlated
from samarbejde.people.services import person_links_close_expired

logger = logging.getLogger(__name__)


@task(queue_name="periodic")
@correlated
def links_close_expired() -> dict:
    """Close every live link whose time is up (people.link_rules), in batches; returns the count per rule."""
    total: dict[str, int] = {}
    while True:
        closed = person_links_close_expired()
        for rule, count in closed.items():
            total[rule] = total.get(rule, 0) + count
        if sum(closed.values()) < 5000:
            break
    if total:
        logger.info("link sweep closed %s", ", ".join(f"{rule}: {count}" for rule, count in sorted(total.items())))
    return total
