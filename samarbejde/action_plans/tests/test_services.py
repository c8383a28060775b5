"""The handleplan's services: start, save (optimistic locking), actions (exactly one responsible, due date
after admission), sharing on a legal basis or consent, the municipality's commitments, notices and audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samarbejde.action_plans import services as s
from samarbejde.action_plans.access import access_plan_by_id, plans_visible_to
from samarbejde.action_plans.models import ActionPlan, PlanAction, PlanStatus, PlanVersion
from samarbejde.action_plans.selectors import plan_page, version_diff, visible_areas
from samarbejde.action_plans.tests.factories import krfo_case_worker, municipal_user, new_episode, new_plan
from samarbejde.audit.models import AuditEvent
from samarbejde.notifications.models import Notification
from samarbejde.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def plan(worker):
    return new_plan(worker)


def today():
    return timezone.localdate()


def add(plan, worker, **kw):
    args = {
        "expected_version": plan.version,
        "category": "housing",
        "description": "Find bolig",
        "responsible_kind": "client",
        "due_on": today() + timedelta(days=10),
        "acting_user": worker,
        **kw,
    }
    return s.action_add(plan, **args)


def test_start_creates_a_draft_with_every_area_and_version_1(worker, plan):
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert [a.category for a in plan.areas.order_by("created_at")][:2] == ["housing", "finances"]
    assert plan.areas.count() == 8
    assert PlanVersion.objects.filter(plan=plan, number=1).exists()
    assert AuditEvent.objects.filter(action="action_plans.start", person=plan.person).exists()
    with pytest.raises(ValidationError) as error:
        s.plan_start(plan.episode, acting_user=worker)
    assert error.value.code == "plan_exists"


def test_only_the_holding_institution_starts_a_plan(worker):
    episode = new_episode(worker)
    other = krfo_case_worker()
    from samarbejde.organisations.tests.factories import grant

    grant(other, "krfo_case_worker", "krfo-storstroem")
    with pytest.raises(PermissionDenied):
        s.plan_start(episode, acting_user=other)
    assert not ActionPlan.objects.filter(episode=episode).exists()


def test_save_bumps_the_version_and_writes_a_diffable_version(worker, plan):
    outcome = s.plan_update(
        plan,
        expected_version=1,
        status=PlanStatus.WRITTEN,
        responsible=worker,
        intake_on=today(),
        facts={"no_suitable_housing": True},
        areas={"housing": {"assessment": "Ingen bolig", "goals": "Egen lejlighed"}},
        acting_user=worker,
    )
    plan = outcome.plan
    assert plan.version == 2 and plan.written_at is not None and plan.responsible == worker
    first, second = PlanVersion.objects.get(plan=plan, number=1), PlanVersion.objects.get(plan=plan, number=2)
    rows = version_diff(first.data, second.data)
    labels = [row[0] for row in rows]
    assert "Status" in labels and "Bolig: vurdering" in labels and "Handleplansansvarlig" in labels
    assert ("Status", "Kladde", "Udarbejdet") in rows
    assert AuditEvent.objects.filter(action="action_plans.update", person=plan.person).exists()


def test_two_editors_the_second_stale_save_is_refused_and_nothing_is_lost(worker, plan):
    first_editor_copy = ActionPlan.objects.get(pk=plan.pk)
    second_editor_copy = ActionPlan.objects.get(pk=plan.pk)
    s.plan_update(
        first_editor_copy,
        expected_version=1,
        status=PlanStatus.DRAFT,
        areas={"housing": {"assessment": "Første", "goals": ""}},
        acting_user=worker,
    )
    with pytest.raises(ValidationError) as error:
        s.plan_update(
            second_editor_copy,
            expected_version=1,
            status=PlanStatus.DRAFT,
            areas={"housing": {"assessment": "Anden", "goals": ""}},
            acting_user=worker,
        )
    assert error.value.code == "stale"
    assert "ændret af en anden" in error.value.messages[0] and "version 2" in error.value.messages[0]
    plan.refresh_from_db()
    assert plan.version == 2
    assert plan.areas.get(category="housing").assessment == "Første"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"responsible_kind": ""}, "responsible_required"),
        ({"responsible_kind": "other", "responsible_other": ""}, "responsible_other"),
        ({"responsible_kind": "krfo_unit"}, "responsible_organisation"),
        ({"responsible_kind": "client", "responsible_other": "Nogen"}, "responsible_one"),
        ({"due_on": None}, "due_required"),
        ({"due_on": "before"}, "due_before_admission"),
        ({"status": "declined"}, "decline_reason"),
        ({"description": " "}, "description_required"),
        ({"category": "case_files"}, "area"),
    ],
)
def test_bad_actions_are_refused_with_a_danish_message_and_nothing_saved(worker, plan, kw, code):
    if kw.get("due_on") == "before":
        kw["due_on"] = timezone.localtime(plan.episode.admitted_at).date() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        add(plan, worker, **kw)
    assert error.value.code == code
    plan.refresh_from_db()
    assert plan.version == 1 and not PlanAction.objects.filter(area__plan=plan).exists()


def test_responsible_must_be_a_krfo_unit_or_municipality_of_the_right_kind(worker, plan):
    municipality = Organisation.objects.get(code="101")
    with pytest.raises(ValidationError) as error:
        add(plan, worker, responsible_kind="krfo_unit", responsible_organisation=municipality)
    assert error.value.code == "responsible_krfo"
    outcome = add(plan, worker, responsible_kind="municipal_department", responsible_organisation=municipality)
    action = PlanAction.objects.get(area__plan=plan)
    assert action.responsible_label == municipality.display_name and outcome.plan.version == 2


def test_share_on_legal_basis_notifies_the_municipality_which_then_sees_only_the_shared_areas(worker, plan):
    add(plan, worker)
    plan.refresh_from_db()
    outcome = s.plan_share(plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker)
    [notice] = outcome.notifications
    assert notice.rule == "action_plans.shared" and notice.recipient_organisation.code == "101"
    assert notice.recipient_department.kind == "socialforvaltning"
    assert notice.legal_basis.reference == "§ 3, stk. 1"
    assert notice.snapshot["plan_link"].startswith("/handleplaner/kommune/")
    assert AuditEvent.objects.filter(action="action_plans.share", person=plan.person).exists()

    koebenhavn = municipal_user("101")
    seen = plan_page(koebenhavn, plan.pk)
    assert [a.category for a in visible_areas(seen)] == ["housing"]
    # Another municipality sees nothing.
    assert not plans_visible_to(municipal_user("147")).filter(pk=plan.pk).exists()


def test_share_on_consent_without_a_live_consent_is_refused_and_nothing_shared(worker, plan):
    with pytest.raises(ValidationError) as error:
        s.plan_share(plan, expected_version=1, shares={"health": "consent"}, acting_user=worker)
    assert error.value.code == "no_consent"
    plan.refresh_from_db()
    assert plan.version == 1 and not plan.areas.exclude(share_basis="").exists()
    assert not Notification.objects.filter(rule="action_plans.shared").exists()


def test_share_needs_a_known_home_municipality(worker):
    plan = new_plan(worker, person={"home": None})
    with pytest.raises(ValidationError) as error:
        s.plan_share(plan, expected_version=1, shares={"housing": "legal"}, acting_user=worker)
    assert error.value.code == "no_municipality"


def test_changes_to_shared_areas_notify_the_municipality_and_others_do_not(worker, plan):
    plan = s.plan_share(plan, expected_version=1, shares={"housing": "legal"}, acting_user=worker).plan
    unshared = add(plan, worker, category="leisure")
    assert unshared.notifications == []
    shared = add(unshared.plan, worker, category="housing")
    [notice] = shared.notifications
    assert notice.rule == "action_plans.changed" and "Ny indsats: Bolig" in notice.snapshot["plan_change"]


def test_the_municipality_adds_its_own_commitments_reference_and_comments(worker, plan):
    plan = s.plan_share(plan, expected_version=1, shares={"housing": "legal"}, acting_user=worker).plan
    koebenhavn = municipal_user("101")
    seen = access_plan_by_id(koebenhavn, plan.pk)
    municipality = Organisation.objects.get(code="101")
    with pytest.raises(ValidationError) as error:
        add(seen, koebenhavn, responsible_kind="client")
    assert error.value.code == "municipal_own"
    with pytest.raises(ValidationError) as error:
        add(
            seen,
            koebenhavn,
            category="health",
            responsible_kind="municipal_department",
            responsible_organisation=municipality,
        )
    assert error.value.code == "area_not_shared"
    outcome = add(seen, koebenhavn, responsible_kind="municipal_department", responsible_organisation=municipality)
    assert PlanAction.objects.get(area__plan=plan).added_by == municipality
    outcome = s.plan_set_municipal_reference(
        outcome.plan, expected_version=outcome.plan.version, reference="KK-2027-114", acting_user=koebenhavn
    )
    assert outcome.plan.municipal_plan_reference == "KK-2027-114"
    comment = s.comment_add(outcome.plan, text="Vi har en bolig", category="housing", acting_user=koebenhavn)
    assert comment.organisation == municipality
    with pytest.raises(PermissionDenied):
        s.plan_update(outcome.plan, expected_version=outcome.plan.version, status="draft", acting_user=koebenhavn)


def test_custody_admission_keeps_sentence_facts_and_refuses_bad_ones(worker):
    episode = new_episode(worker, sentence_days=100, parole_with_supervision=True)
    assert (episode.sentence_days, episode.parole_with_supervision) == (100, True)
    with pytest.raises(ValidationError) as error:
        new_episode(worker, sentence_days=0)
    assert error.value.code == "sentence_days"
    from samarbejde.custody.models import CustodyType

    with pytest.raises(ValidationError) as error:
        new_episode(worker, custody_type=CustodyType.REMAND, sentence_days=None, parole_with_supervision="x")
    assert error.value.code == "parole_with_supervision"


def test_share_on_consent_then_revocation_hides_the_area_at_once(worker, plan):
    from samarbejde.consent.tests.factories import ConsentFactory, revoke

    municipality = Organisation.objects.get(code="101")
    consent = ConsentFactory(person=plan.person, recipients=[municipality], categories=["health", "housing"])
    plan = s.plan_share(
        plan, expected_version=1, shares={"health": "consent", "housing": "legal"}, acting_user=worker
    ).plan
    koebenhavn = municipal_user("101")
    assert [a.category for a in visible_areas(plan_page(koebenhavn, plan.pk))] == ["housing", "health"]
    revoke(consent)
    assert [a.category for a in visible_areas(plan_page(koebenhavn, plan.pk))] == ["housing"]
    # And sharing on it again is refused.
    with pytest.raises(ValidationError) as error:
        s.plan_share(plan, expected_version=plan.version, shares={"family": "consent"}, acting_user=worker)
    assert error.value.code == "no_consent"


def test_consent_for_another_category_does_not_cover_the_area(worker, plan):
    from samarbejde.consent.tests.factories import ConsentFactory

    ConsentFactory(person=plan.person, categories=["housing"])
    with pytest.raises(ValidationError) as error:
        s.plan_share(plan, expected_version=1, shares={"addiction": "consent"}, acting_user=worker)
    assert error.value.code == "no_consent"
