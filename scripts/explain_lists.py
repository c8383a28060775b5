"""EXPLAIN (ANALYZE, BUFFERS) of the notice lists' SQL, as the selectors build it, for ADR 0013.

Run against a copy of a big database (never the original: EXPLAIN ANALYZE runs the query):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samarbejde_ln .venv/bin/python manage.py shell \
        -c "exec(open('scripts/explain_lists.py').read(), {'__name__': 'explain'})"
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from samarbejde.custody.selectors import UNSETTLED_ORDERING, notifications_unsettled_at
from samarbejde.notifications import selectors
from samarbejde.notifications.status import DORMANT_BASE, KEY_DAY, SETTLED_BASE, open_key_q, overdue_key_q
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.selectors import resolve_active_membership

User = get_user_model()
kbh = User.objects.get(username="kbh.sagsbehandler")
krfo = User.objects.get(username="krfo.sagsbehandler")
for user in (kbh, krfo):  # what the middleware does for a request
    user.active_membership = resolve_active_membership(user, None)
prison = Organisation.objects.get(code="krfo-koebenhavns-faengsler")
ORDER = selectors.INBOX_ORDERING
BACK = ["-list_key", "-id"]
END = DORMANT_BASE + SETTLED_BASE + KEY_DAY


def explain(title, qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\n=== {title} ===\n" + "\n".join(plan), flush=True)


inbox = selectors.inbox_for_list(kbh)
explain("inbox, first page (kbh)", inbox.order_by(*ORDER)[:51])
rows = list(inbox.order_by(*ORDER)[:51])
last = rows[49]
explain(
    "inbox, second page (kbh)",
    inbox.filter(list_key__gte=last.list_key).exclude(list_key=last.list_key, id__lte=last.id).order_by(*ORDER)[:51],
)
explain("inbox, last page (kbh): backward from the end", inbox.filter(list_key__lte=END).order_by(*BACK)[:51])
explain("inbox, status=overdue (kbh)", selectors.inbox_for_list(kbh, status="overdue").order_by(*ORDER)[:51])
explain("inbox, status=new (kbh)", selectors.inbox_for_list(kbh, status="new").order_by(*ORDER)[:51])
explain("inbox, status=answered (kbh)", selectors.inbox_for_list(kbh, status="answered").order_by(*ORDER)[:51])
visible = selectors.notifications_visible_to(kbh).filter(open_key_q()).select_related(None)
explain("municipal start page: open count (kbh)", visible.order_by(*ORDER).values("pk")[:101])
explain(
    "municipal start page: overdue count (kbh)",
    visible.filter(overdue_key_q(timezone.localdate())).order_by(*ORDER).values("pk")[:101],
)
explain(
    "municipal start page: new count (kbh)", visible.filter(read_at__isnull=True).order_by(*ORDER).values("pk")[:101]
)
explain("municipal start page: newest open (kbh)", visible.order_by("-created_at")[:5])
unsettled = notifications_unsettled_at(krfo, prison)
explain("unsettled list, first page (krfo)", unsettled.order_by(*UNSETTLED_ORDERING)[:51])
explain("unsettled list, last page (krfo)", unsettled.filter(list_key__lte=END).order_by(*BACK)[:51])
sent = selectors._sent_by_own_institution(krfo, selectors.notifications_visible_to(krfo)).filter(open_key_q())
explain("KRFO start page: open count (krfo)", sent.select_related(None).order_by(*ORDER).values("pk")[:101])
explain("KRFO start page: oldest due (krfo)", sent.order_by(*ORDER)[:5])
api = selectors.notifications_inbox(kbh)
explain("API list, first page (kbh)", api.order_by("updated_at", "id")[:51])
explain(
    "API list, updated in the last day (kbh)",
    api.filter(updated_at__gte=timezone.now() - timedelta(days=1)).order_by("updated_at", "id")[:51],
)
