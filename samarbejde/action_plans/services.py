"""Writes of handleplaner: one function per business event.

Each service locks the plan row, checks the version the user saved from (optimistic locking: a stale save is
refused with MSG_STALE and nothing is written, so no update is ever lost), checks its guards (Danish messages
below, asserted by the tests), changes the plan, raises its version and writes a PlanVersion with the whole
plan, writes the audit event naming the person and hands notices to notifications, all in one transaction.
Sharing on consent passes consent.services.consent_require; reading a consent-based area checks
consent.selectors.consent_live_for (action_plans.selectors.visible_areas).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from samarbejde.action_plans import rules
from samarbejde.action_plans.access import is_plan_municipality, may_change_plan
from samarbejde.action_plans.models import (
    AREAS,
    ActionPlan,
    ActionStatus,
    DeadlineStep,
    PlanAction,
    PlanArea,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ResponsibleKind,
    ShareBasis,
)
from samarbejde.audit.services import audit_record
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.services import consent_require
from samarbejde.core.transactions import service_atomic
from samarbejde.custody.access import may_change_at
from samarbejde.custody.models import Episode, EpisodeStatus
from samarbejde.notifications.events import NoticeEvent
from samarbejde.notifications.services import notices_send
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.roles import Cap, OrgKind

MSG_NOT_ALLOWED = "Kun den institution, der har klienten, kan oprette og skrive handleplanen."
MSG_NOT_MUNICIPALITY = "Kun den kommune, handleplanen er delt med, kan tilføje kommunens indsatser og kommentarer."
MSG_ALREADY_EXISTS = "Forløbet har allerede en handleplan."
MSG_EPISODE_CLOSED = "Forløbet er afsluttet, fordi klienten er løsladt. Handleplanen kan ikke ændres."
MSG_STALE = (
    "Handleplanen er ændret af en anden, siden du åbnede den (nu version %(current)s, du arbejdede på version "
    "%(yours)s). Dine ændringer er ikke gemt. De står nedenfor: se den nye version, og gem igen."
)
MSG_RESPONSIBLE_REQUIRED = "Vælg, hvem der er ansvarlig for indsatsen."
MSG_RESPONSIBLE_ORGANISATION = "Vælg den enhed eller afdeling, der er ansvarlig for indsatsen."
MSG_RESPONSIBLE_KRFO = "Vælg en af Kriminalforsorgens enheder som ansvarlig."
MSG_RESPONSIBLE_MUNICIPAL = "Vælg en kommune (og evt. en af dens afdelinger) som ansvarlig."
MSG_RESPONSIBLE_DEPARTMENT = "Afdelingen hører ikke til den valgte organisation."
MSG_RESPONSIBLE_OTHER = "Skriv navnet på den aktør, der er ansvarlig for indsatsen."
MSG_RESPONSIBLE_ONE = "Vælg præcis én ansvarlig: en enhed, en afdeling, klienten eller en anden navngiven aktør."
MSG_MUNICIPAL_OWN = "Kommunen kan kun tilføje indsatser, som kommunen selv er ansvarlig for."
MSG_DESCRIPTION_REQUIRED = "Beskriv indsatsen."
MSG_DESCRIPTION_TOO_LONG = "Beskrivelsen må højst være 500 tegn."
MSG_DUE_REQUIRED = "Angiv en frist for indsatsen."
MSG_DUE_BEFORE_ADMISSION = "Fristen kan ikke ligge før indsættelsen. Kontrollér datoen."
MSG_STATUS = "Vælg en status for indsatsen."
MSG_DECLINE_REASON = "Skriv en begrundelse, når indsatsen er afslået."
MSG_AREA = "Vælg et af handleplanens områder."
MSG_AREA_NOT_SHARED = "Området er ikke delt med kommunen."
MSG_RESPONSIBLE_USER = "Den handleplansansvarlige skal være ansat i Kriminalforsorgen."
MSG_INTAKE_BEFORE_ADMISSION = "Indkomstsamtalen kan ikke ligge før indsættelsen."
MSG_INTAKE_IN_FUTURE = "Indkomstsamtalen kan ikke ligge i fremtiden."
MSG_NO_MUNICIPALITY = "Klientens bopælskommune er ukendt. Ret bopælskommunen på forløbet, før du deler handleplanen."
MSG_SHARE_BASIS = "Vælg, om området deles på lovgrundlag eller på borgerens samtykke."
MSG_NOTHING_SHARED = "Vælg mindst ét område, der skal deles, eller fjern delingen af et område."
MSG_COMMENT_REQUIRED = "Skriv en kommentar."
MSG_TEXT_TOO_LONG = "Teksten må højst være %(limit)s tegn."
MSG_REFERENCE_TOO_LONG = "Henvisningen må højst være 200 tegn."
MSG_PLAN_STATUS = "Vælg kladde, udarbejdet eller afsluttet."
CONSENT_PURPOSE = "Koordinering af handleplan"

TEXT_MAX = 4000


@dataclass
class PlanOutcome:
    plan: ActionPlan
    version: PlanVersion | None = None
    notifications: list = None
    warnings: list = None


# --- helpers --------------------------------------------------------------------------------------------


def _lock(plan: ActionPlan, expected_version) -> ActionPlan:
    locked = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("episode__institution", "person__home_municipality", "responsible", "municipality")
        .get(pk=plan.pk)
    )
    try:
        yours = int(expected_version)
    except (TypeError, ValueError):
        yours = None
    if yours != locked.version:
        raise ValidationError(
            MSG_STALE, code="stale", params={"current": locked.version, "yours": expected_version or "?"}
        )
    return locked


def _require_writer(acting_user, plan: ActionPlan) -> None:
    if not plan.episode.is_open:
        raise ValidationError(MSG_EPISODE_CLOSED, code="episode_closed")
    if not may_change_plan(acting_user, plan):
        raise PermissionDenied(MSG_NOT_ALLOWED)


def _require_municipality(acting_user, plan: ActionPlan) -> None:
    if not is_plan_municipality(acting_user, plan):
        raise PermissionDenied(MSG_NOT_MUNICIPALITY)


def _organisation_of(acting_user) -> Organisation | None:
    membership = active_membership(acting_user)
    return membership.organisation if membership else None


def _text(value, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(MSG_TEXT_TOO_LONG, code="too_long", params={"limit": limit})
    return value


def _admitted_on(plan: ActionPlan) -> date:
    return timezone.localtime(plan.episode.admitted_at).date()


def snapshot(plan: ActionPlan) -> dict:
    """The whole plan as JSON (codes, texts and dates; no CPR number): what a PlanVersion keeps."""
    areas = {}
    for area in plan.areas.all().prefetch_related(
        "actions__responsible_organisation", "actions__responsible_department"
    ):
        areas[area.category] = {
            "assessment": area.assessment,
            "goals": area.goals,
            "share_basis": area.share_basis,
            "actions": [
                {
                    "id": str(a.pk),
                    "description": a.description,
                    "responsible": a.responsible_label,
                    "due_on": a.due_on.isoformat(),
                    "status": a.status,
                    "decline_reason": a.decline_reason,
                    "notes": a.notes,
                }
                for a in area.actions.all()
            ],
        }
    return {
        "status": plan.status,
        "responsible": plan.responsible.display_name if plan.responsible_id else "",
        "intake_on": plan.intake_on.isoformat() if plan.intake_on else "",
        "non_danish_background": plan.non_danish_background,
        "no_suitable_housing": plan.no_suitable_housing,
        "no_suitable_income": plan.no_suitable_income,
        "children_with_support": plan.children_with_support,
        "other_special_reason": plan.other_special_reason,
        "municipal_plan_reference": plan.municipal_plan_reference,
        "areas": areas,
    }


def _save_version(plan: ActionPlan, *, summary: str, acting_user, bump: bool = True) -> PlanVersion:
    if bump:
        plan.version += 1
    plan.save()
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        data=snapshot(plan),
        summary=summary[:300],
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        organisation=_organisation_of(acting_user),
    )


def _audit(action: str, plan: ActionPlan, *, acting_user, purpose: str, details: dict | None = None) -> None:
    audit_record(action, acting_user=acting_user, person=plan.person, obj=plan, purpose=purpose, details=details)


def _episode_facts(plan: ActionPlan) -> dict:
    episode = plan.episode
    institution = episode.institution
    return {
        "home_municipality": plan.person.home_municipality.code if plan.person.home_municipality_id else None,
        "custody_type": episode.custody_type,
        "institution": {"name": institution.display_name, "address": institution.address, "phone": institution.phone},
        "admitted_at": timezone.localtime(episode.admitted_at).isoformat(),
    }


def _municipal_link(plan: ActionPlan) -> str:
    return reverse("action_plans:municipal_detail", args=[plan.pk])


def _shared_labels(plan: ActionPlan) -> str:
    return ", ".join(DataCategory(a.category).label for a in plan.areas.all() if a.share_basis)


def _notify_municipality(plan: ActionPlan, version: PlanVersion, *, trigger: str, change: str, acting_user):
    facts = {
        **_episode_facts(plan),
        "municipality_code": plan.municipality.code,
        "plan_areas": _shared_labels(plan),
        "plan_change": change,
        "plan_link": _municipal_link(plan),
    }
    return notices_send(
        NoticeEvent(
            kind=trigger,
            person=plan.person,
            source=version,
            thread=plan,
            sender=plan.episode.institution,
            occurred_at=timezone.now(),
            acting_user=acting_user,
            facts=facts,
        )
    )


def _changed_shared(plan: ActionPlan, version: PlanVersion, categories, *, acting_user, change: str):
    """Tell the municipality when KRFO changes an area shared with it (action_plans.changed)."""
    if plan.municipality_id is None:
        return []
    shared = {a.category for a in plan.areas.all() if a.share_basis}
    if not shared & set(categories):
        return []
    labels = ", ".join(DataCategory(c).label for c in AREAS if c in shared & set(categories))
    return _notify_municipality(
        plan, version, trigger="action_plans.changed", change=f"{change}: {labels}", acting_user=acting_user
    )


# --- services -------------------------------------------------------------------------------------------


@service_atomic
def plan_start(episode: Episode, *, acting_user) -> PlanOutcome:
    """Open the handleplan of an episode (a draft with every area, version 1)."""
    episode = Episode.objects.select_for_update(of=("self",)).select_related("institution", "person").get(pk=episode.pk)
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError(MSG_EPISODE_CLOSED, code="episode_closed")
    membership = active_membership(acting_user)
    if (
        membership is None
        or not membership.can(Cap.PERSON_REGISTER)
        or not may_change_at(acting_user, episode.institution)
    ):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if ActionPlan.objects.filter(episode=episode).exists():
        raise ValidationError(MSG_ALREADY_EXISTS, code="plan_exists")
    plan = ActionPlan.objects.create(episode=episode, person=episode.person, version=1)
    PlanArea.objects.bulk_create([PlanArea(plan=plan, category=c) for c in AREAS])
    plan = ActionPlan.objects.select_related("episode__institution", "person__home_municipality").get(pk=plan.pk)
    version = _save_version(plan, summary="Handleplanen er oprettet", acting_user=acting_user, bump=False)
    _audit("action_plans.start", plan, acting_user=acting_user, purpose="Oprettelse af handleplan")
    return PlanOutcome(plan, version, [], [])


BOOL_FACTS = ("non_danish_background", "no_suitable_housing", "no_suitable_income", "children_with_support")


@service_atomic
def plan_update(
    plan: ActionPlan,
    *,
    expected_version,
    status: str,
    responsible=None,
    intake_on: date | None = None,
    facts: dict | None = None,
    other_special_reason: str = "",
    areas: dict | None = None,
    acting_user,
) -> PlanOutcome:
    """Save the plan's head (status, handleplansansvarlig, intake interview, the stk. 2 facts) and its areas'
    assessments and goals (`areas`: {category: {"assessment", "goals"}}). Marking it written the first time sets
    `written_at` (the deadline is met). Changes to shared areas are told to the municipality."""
    locked = _lock(plan, expected_version)
    _require_writer(acting_user, locked)
    if status not in PlanStatus.values:
        raise ValidationError(MSG_PLAN_STATUS, code="plan_status")
    if responsible is not None:
        memberships = responsible.memberships.active().select_related("organisation")
        if not any(m.organisation.is_krfo for m in memberships):
            raise ValidationError(MSG_RESPONSIBLE_USER, code="responsible_user")
    if intake_on is not None:
        if intake_on < _admitted_on(locked):
            raise ValidationError(MSG_INTAKE_BEFORE_ADMISSION, code="intake_before_admission")
        if intake_on > timezone.localdate():
            raise ValidationError(MSG_INTAKE_IN_FUTURE, code="intake_in_future")
    facts = facts or {}
    locked.status = status
    locked.responsible = responsible
    locked.intake_on = intake_on
    for name in BOOL_FACTS:
        value = facts.get(name)
        setattr(locked, name, value if value in (True, False) else None)
    locked.other_special_reason = _text(other_special_reason, 1000)
    if status in (PlanStatus.WRITTEN, PlanStatus.DONE) and locked.written_at is None:
        locked.written_at = timezone.now()
    changed_areas = []
    if areas:
        for area in locked.areas.all():
            new = areas.get(area.category)
            if new is None:
                continue
            assessment, goals = _text(new.get("assessment")), _text(new.get("goals"))
            if (assessment, goals) != (area.assessment, area.goals):
                area.assessment, area.goals = assessment, goals
                area.save(update_fields=["assessment", "goals", "updated_at"])
                changed_areas.append(area.category)
    version = _save_version(locked, summary="Handleplanen er gemt", acting_user=acting_user)
    _audit(
        "action_plans.update",
        locked,
        acting_user=acting_user,
        purpose="Ændring af handleplan",
        details={"version": locked.version, "areas": changed_areas},
    )
    sent = _changed_shared(locked, version, changed_areas, acting_user=acting_user, change="Vurdering eller mål ændret")
    return PlanOutcome(locked, version, list(sent), list(getattr(sent, "warnings", [])))


def _clean_responsible(kind, organisation, department, other) -> tuple:
    other = (other or "").strip()
    if kind not in ResponsibleKind.values:
        raise ValidationError(MSG_RESPONSIBLE_REQUIRED, code="responsible_required")
    if kind in (ResponsibleKind.KRFO_UNIT, ResponsibleKind.MUNICIPAL_DEPARTMENT):
        if other:
            raise ValidationError(MSG_RESPONSIBLE_ONE, code="responsible_one")
        if department is not None and organisation is None:
            organisation = department.organisation
        if organisation is None:
            raise ValidationError(MSG_RESPONSIBLE_ORGANISATION, code="responsible_organisation")
        if kind == ResponsibleKind.KRFO_UNIT and not organisation.is_krfo:
            raise ValidationError(MSG_RESPONSIBLE_KRFO, code="responsible_krfo")
        if kind == ResponsibleKind.MUNICIPAL_DEPARTMENT and organisation.kind != OrgKind.MUNICIPALITY:
            raise ValidationError(MSG_RESPONSIBLE_MUNICIPAL, code="responsible_municipal")
        if department is not None and department.organisation_id != organisation.pk:
            raise ValidationError(MSG_RESPONSIBLE_DEPARTMENT, code="responsible_department")
        return organisation, department, ""
    if organisation is not None or department is not None:
        raise ValidationError(MSG_RESPONSIBLE_ONE, code="responsible_one")
    if kind == ResponsibleKind.OTHER:
        if not other:
            raise ValidationError(MSG_RESPONSIBLE_OTHER, code="responsible_other")
        if len(other) > 200:
            raise ValidationError(MSG_TEXT_TOO_LONG, code="too_long", params={"limit": 200})
        return None, None, other
    if other:
        raise ValidationError(MSG_RESPONSIBLE_ONE, code="responsible_one")
    return None, None, ""


def _clean_action(plan, *, description, due_on, status, decline_reason, notes) -> dict:
    description = (description or "").strip()
    if not description:
        raise ValidationError(MSG_DESCRIPTION_REQUIRED, code="description_required")
    if len(description) > 500:
        raise ValidationError(MSG_DESCRIPTION_TOO_LONG, code="description_too_long")
    if not isinstance(due_on, date):
        raise ValidationError(MSG_DUE_REQUIRED, code="due_required")
    if due_on < _admitted_on(plan):
        raise ValidationError(MSG_DUE_BEFORE_ADMISSION, code="due_before_admission")
    if status not in ActionStatus.values:
        raise ValidationError(MSG_STATUS, code="status")
    decline_reason = _text(decline_reason, 1000)
    if status == ActionStatus.DECLINED and not decline_reason:
        raise ValidationError(MSG_DECLINE_REASON, code="decline_reason")
    return {
        "description": description,
        "due_on": due_on,
        "status": status,
        "decline_reason": decline_reason if status == ActionStatus.DECLINED else "",
        "notes": _text(notes, 2000),
    }


@service_atomic
def action_add(
    plan: ActionPlan,
    *,
    expected_version,
    category: str,
    description: str,
    responsible_kind: str,
    responsible_organisation: Organisation | None = None,
    responsible_department: Department | None = None,
    responsible_other: str = "",
    due_on: date | None,
    status: str = ActionStatus.NOT_STARTED,
    decline_reason: str = "",
    notes: str = "",
    acting_user,
) -> PlanOutcome:
    """Add an action to an area. KRFO (the institution holding the person) adds any; the municipality the plan
    is shared with adds its own commitments (it is the responsible party) to a shared area it sees."""
    locked = _lock(plan, expected_version)
    municipal = is_plan_municipality(acting_user, locked)
    if not municipal:
        _require_writer(acting_user, locked)
    elif not locked.episode.is_open:
        raise ValidationError(MSG_EPISODE_CLOSED, code="episode_closed")
    area = locked.areas.filter(category=category).first() if category in AREAS else None
    if area is None:
        raise ValidationError(MSG_AREA, code="area")
    if municipal:
        from samarbejde.action_plans.selectors import area_visible_to_municipality

        if not area_visible_to_municipality(locked, area):
            raise ValidationError(MSG_AREA_NOT_SHARED, code="area_not_shared")
    organisation, department, other = _clean_responsible(
        responsible_kind, responsible_organisation, responsible_department, responsible_other
    )
    if municipal and (
        responsible_kind != ResponsibleKind.MUNICIPAL_DEPARTMENT or organisation.pk != locked.municipality_id
    ):
        raise ValidationError(MSG_MUNICIPAL_OWN, code="municipal_own")
    cleaned = _clean_action(
        locked, description=description, due_on=due_on, status=status, decline_reason=decline_reason, notes=notes
    )
    action = PlanAction.objects.create(
        area=area,
        responsible_kind=responsible_kind,
        responsible_organisation=organisation,
        responsible_department=department,
        responsible_other=other,
        added_by=_organisation_of(acting_user),
        **cleaned,
    )
    who = "Kommunens indsats" if municipal else "Indsats"
    version = _save_version(
        locked, summary=f"{who} tilføjet under {area.get_category_display()}", acting_user=acting_user
    )
    _audit(
        "action_plans.action_add",
        locked,
        acting_user=acting_user,
        purpose=f"{who} tilføjet til handleplan",
        details={"action": str(action.pk), "area": category, "version": locked.version},
    )
    sent = (
        [] if municipal else _changed_shared(locked, version, [category], acting_user=acting_user, change="Ny indsats")
    )
    return PlanOutcome(locked, version, list(sent), list(getattr(sent, "warnings", [])))


@service_atomic
def action_update(
    action: PlanAction,
    *,
    expected_version,
    status: str,
    due_on: date | None,
    decline_reason: str = "",
    notes: str = "",
    acting_user,
) -> PlanOutcome:
    """Change an action's status, due date and notes (KRFO; the municipality for its own commitments)."""
    locked = _lock(action.area.plan, expected_version)
    action = PlanAction.objects.select_related("area").get(pk=action.pk, area__plan=locked)
    municipal = is_plan_municipality(acting_user, locked)
    if municipal:
        if action.added_by_id != locked.municipality_id or not locked.episode.is_open:
            raise PermissionDenied(MSG_MUNICIPAL_OWN)
    else:
        _require_writer(acting_user, locked)
    cleaned = _clean_action(
        locked,
        description=action.description,
        due_on=due_on,
        status=status,
        decline_reason=decline_reason,
        notes=notes,
    )
    for name, value in cleaned.items():
        setattr(action, name, value)
    action.save()
    version = _save_version(
        locked,
        summary=f"Indsats ændret under {action.area.get_category_display()} ({action.get_status_display().lower()})",
        acting_user=acting_user,
    )
    _audit(
        "action_plans.action_update",
        locked,
        acting_user=acting_user,
        purpose="Ændring af indsats i handleplan",
        details={"action": str(action.pk), "status": status, "version": locked.version},
    )
    sent = (
        []
        if municipal
        else _changed_shared(locked, version, [action.area.category], acting_user=acting_user, change="Indsats ændret")
    )
    return PlanOutcome(locked, version, list(sent), list(getattr(sent, "warnings", [])))


@service_atomic
def plan_share(plan: ActionPlan, *, expected_version, shares: dict, acting_user) -> PlanOutcome:
    """Share areas with the client's home municipality, each on a legal basis (BEK 642/2006 §§ 1 and 3) or on
    consent (consent_require, else ConsentMissing and nothing is shared). `shares` maps each area to
    "legal", "consent" or "" (not shared). Newly shared areas send action_plans.shared (the first time and
    whenever areas are added); the notice opens the municipality's link to the person."""
    locked = _lock(plan, expected_version)
    _require_writer(acting_user, locked)
    home = locked.person.home_municipality
    if home is None:
        raise ValidationError(MSG_NO_MUNICIPALITY, code="no_municipality")
    for category, basis in shares.items():
        if category not in AREAS:
            raise ValidationError(MSG_AREA, code="area")
        if basis not in ("", *ShareBasis.values):
            raise ValidationError(MSG_SHARE_BASIS, code="share_basis")
    areas = {a.category: a for a in locked.areas.all()}
    if locked.municipality_id not in (None, home.pk):
        # The home municipality changed: the old one keeps nothing of the plan (its link runs out).
        for area in areas.values():
            area.share_basis, area.shared_at = "", None
            area.save(update_fields=["share_basis", "shared_at", "updated_at"])
    locked.municipality = home
    newly, unshared, now = [], [], timezone.now()
    for category in AREAS:
        if category not in shares:
            continue
        basis, area = shares[category], areas[category]
        if basis == ShareBasis.CONSENT:
            consent_require(
                locked.person, recipient=home, category=category, purpose=CONSENT_PURPOSE, acting_user=acting_user
            )
        if basis == area.share_basis:
            continue
        if basis and not area.share_basis:
            newly.append(category)
        if not basis:
            unshared.append(category)
        area.share_basis, area.shared_at = basis, (now if basis else None)
        area.save(update_fields=["share_basis", "shared_at", "updated_at"])
    if not any(a.share_basis for a in areas.values()) and not unshared:
        raise ValidationError(MSG_NOTHING_SHARED, code="nothing_shared")
    labels = ", ".join(DataCategory(c).label for c in newly) or "ingen nye"
    version = _save_version(locked, summary=f"Delt med {home.display_name}: {labels}", acting_user=acting_user)
    _audit(
        "action_plans.share",
        locked,
        acting_user=acting_user,
        purpose=f"Deling af handleplan med {home.display_name}",
        details={
            "shared": newly,
            "unshared": unshared,
            "bases": {c: areas[c].share_basis for c in AREAS if areas[c].share_basis},
            "version": locked.version,
        },
    )
    sent = []
    if newly:
        sent = _notify_municipality(
            locked, version, trigger="action_plans.shared", change=f"Delt: {labels}", acting_user=acting_user
        )
    elif unshared:
        removed = ", ".join(DataCategory(c).label for c in unshared)
        sent = _notify_municipality(
            locked,
            version,
            trigger="action_plans.changed",
            change=f"Ikke længere delt: {removed}",
            acting_user=acting_user,
        )
    return PlanOutcome(locked, version, list(sent), list(getattr(sent, "warnings", [])))


@service_atomic
def plan_set_municipal_reference(plan: ActionPlan, *, expected_version, reference: str, acting_user) -> PlanOutcome:
    """The municipality records the reference of its own plan (serviceloven § 141)."""
    locked = _lock(plan, expected_version)
    _require_municipality(acting_user, locked)
    reference = (reference or "").strip()
    if len(reference) > 200:
        raise ValidationError(MSG_REFERENCE_TOO_LONG, code="reference_too_long")
    locked.municipal_plan_reference = reference
    version = _save_version(locked, summary="Kommunens handleplan (§ 141) er angivet", acting_user=acting_user)
    _audit(
        "action_plans.municipal_reference",
        locked,
        acting_user=acting_user,
        purpose="Kommunens handleplan efter serviceloven § 141",
        details={"version": locked.version},
    )
    return PlanOutcome(locked, version, [], [])


@transaction.atomic
def comment_add(plan: ActionPlan, *, text: str, category: str = "", acting_user) -> PlanComment:
    """A comment by KRFO (who sees the plan) or by the municipality it is shared with (on a shared area)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(MSG_COMMENT_REQUIRED, code="comment_required")
    if len(text) > 2000:
        raise ValidationError(MSG_TEXT_TOO_LONG, code="too_long", params={"limit": 2000})
    municipal = is_plan_municipality(acting_user, plan)
    if not municipal and not may_change_plan(acting_user, plan):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    area = None
    if category:
        area = plan.areas.filter(category=category).first()
        if area is None:
            raise ValidationError(MSG_AREA, code="area")
        if municipal:
            from samarbejde.action_plans.selectors import area_visible_to_municipality

            if not area_visible_to_municipality(plan, area):
                raise ValidationError(MSG_AREA_NOT_SHARED, code="area_not_shared")
    comment = PlanComment.objects.create(
        plan=plan, area=area, author=acting_user, organisation=_organisation_of(acting_user), text=text
    )
    _audit(
        "action_plans.comment",
        plan,
        acting_user=acting_user,
        purpose="Kommentar til handleplan",
        details={"comment": str(comment.pk)},
    )
    return comment


# --- the deadline follow-up (a periodic task) ------------------------------------------------------------


STEP_RULES = {rules.REMINDER: "action_plans.due", rules.ESCALATION: "action_plans.overdue"}
STEP_LABELS = {rules.REMINDER: "Påmindelse før fristen", rules.ESCALATION: "Rykker: fristen er overskredet"}


def _responsible_unit(plan: ActionPlan | None, institution) -> object:
    if plan is None or plan.responsible_id is None:
        return None
    membership = (
        plan.responsible.memberships.active().filter(organisation=institution, department__isnull=False).first()
    )
    return membership.department_id if membership else None


@transaction.atomic
def deadline_sweep(today: date | None = None) -> int:
    """Remind the institution before the plan's deadline and escalate after it, once per episode and step
    (DeadlineStep's unique constraint), for open episodes whose plan is not written yet. Returns the number of
    steps sent."""
    from samarbejde.action_plans.selectors import episodes_needing_follow_up

    today = today or timezone.localdate()
    sent = 0
    for episode, plan in episodes_needing_follow_up(today):
        admitted_on = timezone.localtime(episode.admitted_at).date()
        due = rules.plan_deadline(episode.custody_type, admitted_on).due_on
        step = rules.deadline_step(due, today)
        if step is None:
            continue
        record, created = DeadlineStep.objects.get_or_create(episode=episode, step=step, defaults={"due_on": due})
        if not created:
            continue
        institution = episode.institution
        facts = {
            "home_municipality": None,
            "custody_type": episode.custody_type,
            "institution": {"name": institution.display_name},
            "admitted_at": timezone.localtime(episode.admitted_at).isoformat(),
            "institution_code": institution.code,
            "responsible_unit": str(_responsible_unit(plan, institution) or "") or None,
            "plan_due_on": due.isoformat(),
            "plan_step": STEP_LABELS[step],
        }
        notices_send(
            NoticeEvent(
                kind=STEP_RULES[step],
                person=episode.person,
                source=record,
                thread=episode,
                sender=institution,
                occurred_at=timezone.now(),
                acting_user=None,
                facts=facts,
            )
        )
        audit_record(
            "action_plans.deadline",
            acting_user=None,
            person=episode.person,
            obj=record,
            purpose=f"Handleplanens frist: {STEP_LABELS[step].lower()}",
            details={"episode": str(episode.pk), "step": step, "due_on": due.isoformat()},
        )
        sent += 1
    return sent
