"""Reads of § 808 investigations, from the access-scoped querysets (pre_sentence.access); the pages audit them."""

from samarbejde.notifications.selectors import notices_for_sources
from samarbejde.pre_sentence.access import investigations_visible_to
from samarbejde.pre_sentence.models import InvestigationStatus

LIST_ORDERING = ["hearing_date", "id"]


def investigations_for_list(user, *, status: str = ""):
    """The KiF office's investigations, the next hearing first. One query for a page of rows."""
    qs = investigations_visible_to(user)
    if status in InvestigationStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by(*LIST_ORDERING)


def requests_with_notices(user, investigation) -> list:
    """The investigation's requests, oldest first, each with `.notices` (its notice with answer, files and
    status: notifications.selectors.notices_for_sources), in a constant number of queries."""
    requests = list(investigation.requests.select_related("recipient", "sent_by").order_by("sent_at", "id"))
    notices = notices_for_sources(user, requests)
    for request in requests:
        request.notices = notices.get(request.pk, [])
        request.notice = request.notices[0] if request.notices else None
    return requests
