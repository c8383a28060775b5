"""EXPLAIN (ANALYZE, BUFFERS) of the notice lists' SQL, as the views build it, for ADR 0013.

Run against a copy of a big database (never the original: EXPLAIN ANALYZE runs the query):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samarbejde_ln .venv/bin/python manage.py shell \
        < scripts/explain_lists.py
Prints each query's plan with its timing. Reads only (the audit writes of the views are not made).
"""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samarbejde.core.pagination import encode_cursor, keyset_page
from samarbejde.custody.selectors import UNSETTLED_ORDERING, notifications_unsettled_at
from samarbejde.notifications import selectors
from samarbejde.notifications.status import DORMANT_BASE, KEY_DAY, SETTLED_BASE
from samarbejde.organisations.models import Organisation

User = get_user_model()
kbh = User.objects.get(username="kbh.sagsbehandler")
krfo = User.objects.get(username="krfo.sagsbehandler")
prison = Organisation.objects.get(code="krfo-koebenhavns-faengsler")
END = encode_cursor([DORMANT_BASE + SETTLED_BASE + KEY_DAY, str(uuid.UUID(int=2**128 - 1))])


def explain(title, run):
    with CaptureQueriesContext(connection) as captured:
        run()
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "notifications_" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n=== {title} ===\n{sql[:3000]}\n" + "\n".join(plan))


explain("inbox, first page (kbh)", lambda: keyset_page(selectors.inbox_for_list(kbh), selectors.INBOX_ORDERING))
first = keyset_page(selectors.inbox_for_list(kbh), selectors.INBOX_ORDERING)
explain(
    "inbox, second page (kbh)",
    lambda: keyset_page(selectors.inbox_for_list(kbh), selectors.INBOX_ORDERING, after=first.next_cursor),
)
explain(
    "inbox, last page (kbh)",
    lambda: keyset_page(selectors.inbox_for_list(kbh), selectors.INBOX_ORDERING, before=END),
)
explain(
    "inbox, status=overdue (kbh)",
    lambda: keyset_page(selectors.inbox_for_list(kbh, status="overdue"), selectors.INBOX_ORDERING),
)
explain(
    "inbox, status=answered (kbh)",
    lambda: keyset_page(selectors.inbox_for_list(kbh, status="answered"), selectors.INBOX_ORDERING),
)
explain("municipal start page counts (kbh)", lambda: selectors.notification_counts(kbh))
explain("municipal start page newest open (kbh)", lambda: selectors.notifications_newest_open(kbh))
explain(
    "unsettled list, first page (krfo)",
    lambda: keyset_page(notifications_unsettled_at(krfo, prison), UNSETTLED_ORDERING),
)
explain(
    "unsettled list, last page (krfo)",
    lambda: keyset_page(notifications_unsettled_at(krfo, prison), UNSETTLED_ORDERING, before=END),
)
explain("KRFO start page counts (krfo)", lambda: selectors.krfo_notice_counts(krfo))
explain("KRFO start page oldest due (krfo)", lambda: selectors.krfo_unsettled_notices(krfo))
explain(
    "API list, first page (kbh)",
    lambda: list(selectors.notifications_inbox(kbh).order_by("updated_at", "id")[:51]),
)
explain(
    "API list, updated in the last day (kbh)",
    lambda: list(
        selectors.notifications_inbox(kbh)
        .filter(updated_at__gte=timezone.now() - timedelta(days=1))
        .order_by("updated_at", "id")[:51]
    ),
)


def reminder_reads(user):
    from samarbejde.notifications import reminders

    reminders.reminder_counts(user)
    list(reminders.withdrawals_for(user)[:20])


explain("start page reminders + inbox withdrawals (kbh)", lambda: reminder_reads(kbh))
explain("start page reminders (krfo)", lambda: reminder_reads(krfo))
