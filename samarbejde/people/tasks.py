"""Periodic tasks of the people context; thin: the work is in people.services.

Log lines carry counts per rule only, never personal data.
"""

import logging

from django.tasks import task

from samarbejde.core.tasks import correlated
from samarbejde.people.services import person_links_close_all_expired

logger = logging.getLogger(__name__)


@task(queue_name="periodic")
@correlated
def links_close_expired() -> dict:
    """Close every live link whose time is up (people.link_rules), in batches; returns the count per rule."""
    total = dict(person_links_close_all_expired())
    if total:
        logger.info("link sweep closed %s", ", ".join(f"{rule}: {count}" for rule, count in sorted(total.items())))
    return total
