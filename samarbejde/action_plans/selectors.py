"""Reads of handleplaner: from access-scoped querysets (action_plans.access), plus the pure parts of the pages
(applicability on the episode, the version diff, the client's plain-language texts)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from samarbejde.action_plans import rules
from samarbejde.action_plans.access import plans_visible_to
from samarbejde.action_plans.models import (
    AREAS,
    ActionPlan,
    DeadlineStep,
    PlanAction,
    PlanArea,
    PlanStatus,
    PlanVersion,
    ShareBasis,
)
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.selectors import consent_categories_live_for, consent_live_for
from samarbejde.core import dates
from samarbejde.custody.models import CustodyType, Episode, EpisodeStatus

CONSENT_PURPOSE = "Koordinering af handleplan"


def plan_of_episode(episode: Episode) -> ActionPlan | None:
    """The plan of an episode the caller has already been allowed to see (custody.access), or None."""
    return ActionPlan.objects.select_related("responsible").filter(episode=episode).first()


STEP_LABELS = {rules.REMINDER: "Påmindelse om fristen sendt", rules.ESCALATION: "Rykker for overskredet frist sendt"}


def follow_ups_of(episode: Episode) -> list[dict]:
    """The deadline follow-ups sent for an episode (the sweep's DeadlineStep rows), oldest first."""
    return [
        {"label": STEP_LABELS.get(step.step, step.step), "at": step.created_at, "due_on": step.due_on}
        for step in DeadlineStep.objects.filter(episode=episode).order_by("created_at")
    ]


def plan_page(user, pk, *, action: str = "view") -> ActionPlan:
    """One plan with its areas and actions loaded (constant query count), or Http404."""
    from samarbejde.action_plans.access import access_plan_by_id

    plan = access_plan_by_id(user, pk, action=action)
    areas = list(
        plan.areas.prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.select_related(
                    "responsible_organisation", "responsible_department", "added_by"
                ),
            )
        )
    )
    order = {c: i for i, c in enumerate(AREAS)}
    areas.sort(key=lambda a: order.get(a.category, 99))
    plan.area_list = areas
    plan.comment_list = list(plan.comments.select_related("author", "organisation", "area"))
    plan.version_list = list(plan.versions.select_related("created_by", "organisation").order_by("-number")[:50])
    return plan


def area_visible_to_municipality(plan: ActionPlan, area: PlanArea) -> bool:
    """A shared area on a legal basis, or on a consent that is live now (revoked: hidden at once)."""
    if area.share_basis == ShareBasis.LEGAL:
        return True
    if area.share_basis == ShareBasis.CONSENT and plan.municipality_id:
        return (
            consent_live_for(plan.person, recipient=plan.municipality, category=area.category, purpose=CONSENT_PURPOSE)
            is not None
        )
    return False


def visible_areas(plan: ActionPlan) -> list[PlanArea]:
    """The areas the plan's municipality sees now (plan_page must have loaded `area_list`): the consents are
    read in one query, at read time, so a revoked or expired consent hides its areas at once."""
    shared = [a for a in plan.area_list if a.share_basis]
    consented = (
        consent_categories_live_for(plan.person, recipient=plan.municipality)
        if plan.municipality_id and any(a.share_basis == ShareBasis.CONSENT for a in shared)
        else set()
    )
    return [a for a in shared if a.share_basis == ShareBasis.LEGAL or a.category in consented]


def applicability_of(episode: Episode, plan: ActionPlan | None) -> rules.Applicability:
    admitted_on = timezone.localtime(episode.admitted_at).date()
    birth = dates.birth_date_of(episode.person.cpr)
    facts = rules.ApplicabilityFacts(
        custody_type=episode.custody_type,
        admitted_on=admitted_on,
        sentence_days=episode.sentence_days,
        parole_with_supervision=episode.parole_with_supervision,
        age=rules.age_on(birth, admitted_on),
        non_danish_background=plan.non_danish_background if plan else None,
        no_suitable_housing=plan.no_suitable_housing if plan else None,
        no_suitable_income=plan.no_suitable_income if plan else None,
        children_with_support=plan.children_with_support if plan else None,
        other_special_reason=plan.other_special_reason if plan else "",
    )
    return rules.applicability(facts)


def deadline_of(episode: Episode) -> rules.PlanDeadline:
    return rules.plan_deadline(episode.custody_type, timezone.localtime(episode.admitted_at).date())


def deadline_state(episode: Episode, plan: ActionPlan | None, today: date | None = None) -> str:
    """ "met", "overdue", "soon" or "open" (the plan's deadline, for the episode and the list)."""
    today = today or timezone.localdate()
    if plan is not None and plan.written_at is not None:
        return "met"
    step = rules.deadline_step(deadline_of(episode).due_on, today)
    return {"escalation": "overdue", "reminder": "soon"}.get(step or "", "open")


# The plan list's order: newest plan first; a keyset page over the index actionplan_list (ADR 0013).
PLAN_LIST_ORDERING = ["-created_at", "-id"]


def plans_for_list(user) -> QuerySet[ActionPlan]:
    """The plans the user sees in PLAN_LIST_ORDERING (the view pages it with core.pagination.keyset_page)."""
    return plans_visible_to(user).order_by(*PLAN_LIST_ORDERING)


def episodes_needing_follow_up(today: date):
    """(episode, plan or None) of open episodes whose plan is not written and whose reminder date has come,
    without a follow-up step sent for their current step. Uses the episode status index and the plan's and
    the step's unique indexes."""
    reminder = timedelta(days=rules.reminder_days_before())
    sentence_cut = today - timedelta(weeks=rules.PLAN_WEEKS) + reminder
    remand_cut = today - timedelta(days=rules.remand_due_days()) + reminder
    cut = max(sentence_cut, remand_cut) + timedelta(days=1)
    written = ActionPlan.objects.filter(episode=OuterRef("pk"), written_at__isnull=False)
    escalated = DeadlineStep.objects.filter(episode=OuterRef("pk"), step=rules.ESCALATION)
    start_of_cut = timezone.make_aware(datetime.combine(cut, time.min))
    episodes = Episode.objects.filter(status=EpisodeStatus.OPEN, admitted_at__lt=start_of_cut)
    episodes = (
        episodes.filter(~Exists(written), ~Exists(escalated))
        .select_related("institution", "person")
        .order_by("admitted_at", "id")
    )
    plans = {p.episode_id: p for p in ActionPlan.objects.filter(episode__in=episodes).select_related("responsible")}
    for episode in episodes:
        admitted_on = timezone.localtime(episode.admitted_at).date()
        limit = sentence_cut if episode.custody_type == CustodyType.SENTENCE else remand_cut
        if admitted_on > limit:
            continue
        yield episode, plans.get(episode.pk)


# --- versions -------------------------------------------------------------------------------------------

HEAD_LABELS = {
    "status": "Status",
    "responsible": "Handleplansansvarlig",
    "intake_on": "Indkomstsamtale",
    "non_danish_background": "Anden etnisk baggrund end dansk",
    "no_suitable_housing": "Ingen passende bolig",
    "no_suitable_income": "Ingen passende forsørgelse",
    "children_with_support": "Børn med støtteforanstaltninger",
    "other_special_reason": "Andre særlige grunde",
    "municipal_plan_reference": "Kommunens handleplan (§ 141)",
}
AREA_LABELS = {"assessment": "vurdering", "goals": "mål", "share_basis": "deling"}
ACTION_LABELS = {
    "description": "beskrivelse",
    "responsible": "ansvarlig",
    "due_on": "frist",
    "status": "status",
    "decline_reason": "begrundelse for afslag",
    "notes": "noter",
}
VALUE_LABELS = {
    **dict(PlanStatus.choices),
    **dict(ShareBasis.choices),
    "not_started": "Ikke påbegyndt",
    "in_progress": "I gang",
    "done": "Gennemført",
    "declined": "Afslået",
}


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "Ja"
    if value is False:
        return "Nej"
    return VALUE_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)


def version_diff(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(what, before, after) for every difference between two plan snapshots, in Danish."""
    rows: list[tuple[str, str, str]] = []
    for key, label in HEAD_LABELS.items():
        if before.get(key) != after.get(key):
            rows.append((label, _shown(before.get(key)), _shown(after.get(key))))
    for category in AREAS:
        name = DataCategory(category).label
        old, new = (before.get("areas") or {}).get(category, {}), (after.get("areas") or {}).get(category, {})
        for key, label in AREA_LABELS.items():
            if old.get(key, "") != new.get(key, ""):
                rows.append((f"{name}: {label}", _shown(old.get(key)), _shown(new.get(key))))
        old_actions = {a["id"]: a for a in old.get("actions", [])}
        for action in new.get("actions", []):
            previous = old_actions.pop(action["id"], None)
            if previous is None:
                rows.append((f"{name}: ny indsats", "–", f"{action['description']} ({action['responsible']})"))
                continue
            for key, label in ACTION_LABELS.items():
                if previous.get(key) != action.get(key):
                    rows.append(
                        (
                            f"{name}: »{action['description']}«, {label}",
                            _shown(previous.get(key)),
                            _shown(action.get(key)),
                        )
                    )
        for action in old_actions.values():
            rows.append((f"{name}: indsats fjernet", action["description"], "–"))
    return rows


def version_pair(plan: ActionPlan, number: int) -> tuple[PlanVersion, PlanVersion | None]:
    """The version `number` of the plan and the one before it (None for the first). Raises PlanVersion.DoesNotExist."""
    version = plan.versions.select_related("created_by", "organisation").get(number=number)
    previous = plan.versions.filter(number__lt=number).order_by("-number").first()
    return version, previous


def shared_snapshot(data: dict, categories) -> dict:
    """A snapshot with only the given areas (what the municipality may compare)."""
    return {**data, "areas": {c: v for c, v in (data.get("areas") or {}).items() if c in set(categories)}}
