"""The benchmark dataset generator (samarbejde.demo.dataset): counts and proportions at a tiny size, rows that
agree with the application's own rules, resume and growth, reset, and the demo users' pages over the data.

PostgreSQL only (COPY); on SQLite the command must refuse with a clear message, which is tested here too."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.models import Episode
from samarbejde.delivery.models import Delivery
from samarbejde.demo import dataset
from samarbejde.demo.data import DEMO_PERSONS
from samarbejde.notifications.models import Notification, NotificationAnswer, NotificationStatusChange
from samarbejde.notifications.status import notification_list_key, status_on
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person, PersonLink

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="generate_dataset writes with PostgreSQL's COPY; set DATABASE_URL to a PostgreSQL database to run this",
)

PERSONS = 200
CHUNK = 100


def generate(persons=PERSONS, **options):
    out, err = StringIO(), StringIO()
    call_command("generate_dataset", persons=persons, chunk_size=CHUNK, seed=7, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def generated(model):
    pk = model._meta.pk
    if pk.get_internal_type() == "UUIDField":
        return model.objects.filter(pk__gte=dataset.UUID_LOW, pk__lte=dataset.UUID_HIGH)
    return model.objects.filter(pk__gte=dataset.GENERATED_ID_BASE)


def counts() -> dict:
    return {
        m._meta.label_lower: generated(m).count()
        for m in (Person, Episode, Notification, NotificationStatusChange, Delivery, AuditEvent, PersonLink)
    }


def _shape(definition: str) -> tuple[str, bool]:
    head, _, condition = definition.partition(" WHERE ")
    return head, bool(condition)


def indexes() -> set:
    tables = [m._meta.db_table for m in dataset.generated_models()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        # PostgreSQL prints a rebuilt partial index's condition in its own normal form (an IN list as = ANY of
        # a cast array): an index is compared by its columns and whether it has a condition.
        return {_shape(row[0]) for row in cursor.fetchall()}


@needs_postgresql
def test_dropped_indexes_of_a_killed_run_are_built_again():
    before = indexes()
    dataset.drop_secondary_indexes(StringIO())
    dropped = before - indexes()
    assert len(dropped) > 30
    assert not any("UNIQUE" in definition or "_pkey" in definition for definition, _ in dropped)
    # A killed load leaves them dropped; the next run (or --reset) builds them from dataset_dropped_index.
    dataset.restore_indexes(StringIO())
    assert indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dataset_dropped_index')")
        assert cursor.fetchone()[0] is None


@pytest.mark.skipif(ON_POSTGRESQL, reason="the refusal is for other databases than PostgreSQL")
def test_refuses_on_sqlite():
    with pytest.raises(CommandError, match="kræver PostgreSQL"):
        call_command("generate_dataset", persons=10, stdout=StringIO(), stderr=StringIO())
    assert not Person.objects.exists()


def test_cpr_numbers_are_valid_and_unique():
    cprs = [dataset.cpr_for(i) for i in range(0, 2_000_000, 997)] + [dataset.cpr_for(i) for i in range(5000)]
    assert len(set(cprs)) == len(set(range(0, 2_000_000, 997)) | set(range(5000)))
    for cpr in cprs[:3000]:
        assert normalize_cpr(cpr) == cpr
    assert not {p.cpr for p in DEMO_PERSONS.values()} & set(cprs)


def test_generated_ids_are_version_8_in_the_namespace():
    value = dataset.gen_uuid(dataset.TAG_NOTICE, 123456789)
    assert value.startswith("da7a5e70-0004-8") and dataset.UUID_LOW < value < dataset.UUID_HIGH
    assert value[19] in "89ab"  # the RFC 4122 variant


@needs_postgresql
def test_generate_resume_grow_and_reset(client, monkeypatch):
    # The demo PDFs (weasyprint) are the slowest part of load_demo_data and nothing here reads them.
    monkeypatch.setattr(
        "samarbejde.demo.management.commands.load_demo_data.load_demo_public_documents", lambda *a, **k: 0
    )
    indexes_before = indexes()
    # As a fresh load of a large N does: the secondary indexes are dropped while loading and built at the end.
    out, err = generate(drop_indexes="yes")
    assert "sekundære indeks fjernet" in err and "indeks bygget igen" in err
    assert indexes() == indexes_before
    assert "200 nye personer" in out
    assert "[dataset] chunk 1: persons 200/200 100.0%" in err and "ETA" in err

    made = counts()
    assert made["people.person"] == PERSONS
    assert 1.5 * PERSONS <= made["custody.episode"] <= 2.5 * PERSONS
    assert 7 * PERSONS <= made["notifications.notification"] <= 13 * PERSONS
    assert 1.6 <= made["delivery.delivery"] / made["notifications.notification"] <= 2.4
    assert 15 * PERSONS <= made["audit.auditevent"] <= 25 * PERSONS

    notices = generated(Notification)
    by_recipient = Counter(notices.values_list("recipient_organisation__code", flat=True))
    assert 0.08 <= by_recipient["101"] / made["notifications.notification"] <= 0.2
    assert by_recipient.most_common(1)[0][0] == "101"
    by_institution = Counter(generated(Episode).values_list("institution__code", flat=True))
    assert by_institution.most_common(1)[0][0] == "krfo-koebenhavns-faengsler"
    statuses = Counter(notices.values_list("status", flat=True))
    settled = statuses["answered"] + statuses["acknowledged"]
    assert settled / made["notifications.notification"] > 0.7
    assert statuses["overdue"] and statuses["withdrawn"]
    assert Counter(generated(Episode).values_list("status", flat=True))["open"] > 0

    # Every row as the application would have it: the stored status is the status rule's, the history ends in it.
    from django.utils import timezone

    today = timezone.localdate()
    last_change = {}
    for notice_id, to_status in (
        generated(NotificationStatusChange).order_by("changed_at", "id").values_list("notification_id", "to_status")
    ):
        last_change[notice_id] = to_status
    for n in notices.only(
        "status",
        "needs_answer",
        "due_date",
        "read_at",
        "acknowledged_at",
        "answered_at",
        "withdrawn_at",
        "created_at",
        "thread_ended_at",
        "list_key",
    ):
        # The stored list key (ADR 0013) is the one the model's save works out.
        assert n.list_key == notification_list_key(n), n.pk
        expected = status_on(
            today,
            needs_answer=n.needs_answer,
            due_date=n.due_date,
            read_at=n.read_at,
            acknowledged_at=n.acknowledged_at,
            answered_at=n.answered_at,
            withdrawn_at=n.withdrawn_at,
        )
        assert n.status == expected == last_change[n.pk], n.pk
    assert NotificationAnswer.objects.filter(notification__in=notices).count() == statuses["answered"]
    # The release ends the thread (its live notices, its own included); the open matters' recipients still see the person.
    released = dict(generated(Episode).filter(status="closed").values_list("pk", "released_at"))
    for thread_id, thread_ended_at in notices.filter(withdrawn_at__isnull=True).values_list(
        "thread_id", "thread_ended_at"
    ):
        assert thread_ended_at == released.get(thread_id)
    open_notices = notices.filter(thread_id__in=generated(Episode).filter(status="open").values("pk")).filter(
        withdrawn_at__isnull=True
    )
    live = PersonLink.objects.live().filter(reason="notification", source_id__in=open_notices.values("pk"))
    assert set(live.values_list("source_id", flat=True)) == set(open_notices.values_list("pk", flat=True))
    for cpr in generated(Person).values_list("cpr", flat=True):
        assert normalize_cpr(cpr) == cpr

    # Running again changes nothing; a larger N adds only the missing persons (and their rows).
    again, _ = generate()
    assert "intet at gøre" in again
    assert counts() == made
    generate(persons=PERSONS + 50)
    grown = counts()
    assert grown["people.person"] == PERSONS + 50
    assert all(grown[name] >= made[name] for name in made)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(persons) FROM dataset_chunk")
        assert cursor.fetchone()[0] == PERSONS + 50

    # Another seed on top of existing rows is refused (the rows would not be what that seed makes).
    with pytest.raises(CommandError, match="--reset"):
        call_command(
            "generate_dataset", persons=PERSONS + 100, chunk_size=CHUNK, seed=8, stdout=StringIO(), stderr=StringIO()
        )

    # The demo users see a good part of it on the pages the benchmarks use.
    User = get_user_model()
    client.force_login(User.objects.get(username="kbh.sagsbehandler"))
    response = client.get("/indbakke/")
    assert response.status_code == 200
    shown = [n for n in response.context["notices"] if str(n.pk).startswith(dataset.UUID_PREFIX)]
    assert shown, "no generated notice in København's inbox"
    assert shown[0].person.last_name in response.content.decode()
    client.force_login(User.objects.get(username="krfo.sagsbehandler"))
    response = client.get("/klienter/")
    assert response.status_code == 200
    rows = [e for e in response.context["page"] if str(e.pk).startswith(dataset.UUID_PREFIX)]
    assert rows, "no generated episode in Københavns Fængsler's list of inmates"

    # Reset removes the generated rows and only those.
    out, _ = generate(persons=0, reset=True)
    assert "fjernet" in out
    assert all(count == 0 for count in counts().values())
    assert Person.objects.filter(cpr__in=[p.cpr for p in DEMO_PERSONS.values()]).count() == len(DEMO_PERSONS)
    assert not User.objects.filter(username__startswith=dataset.HELPER_PREFIX).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dataset_chunk')")
        assert cursor.fetchone()[0] is None
