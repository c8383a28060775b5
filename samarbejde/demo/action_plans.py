"""Demo handleplaner (issue 11, point 7) in every state, made through action_plans.services:

- overdue: no plan yet, admitted four weeks ago (the sweep reminds and escalates);
- remanded: a draft, a handleplansansvarlig appointed, intake held, housing shared on the client's consent;
- answered: written and shared with København (housing and finances on the legal basis);
- transferred: written, shared with Odense, which has added its commitment and its § 141 reference;
- serving: done (every action done or declined).

Called from demo.data.load_demo_cases (one line), inside its transaction and only when the demo persons are
new, so it is idempotent like the rest.
"""

from datetime import timedelta

from django.utils import timezone


def _sweep_today():
    return timezone.localdate()


def load_demo_action_plans(people, *, krfo, leader) -> int:
    from samarbejde.action_plans import services as s
    from samarbejde.action_plans.services import deadline_sweep
    from samarbejde.custody.models import Episode, EpisodeStatus
    from samarbejde.demo.actors import demo_actor
    from samarbejde.organisations.models import Department, Organisation

    today = timezone.localdate()
    episodes = {
        key: Episode.objects.select_related("institution", "person").get(person=person, status=EpisodeStatus.OPEN)
        for key, person in people.items()
        if Episode.objects.filter(person=person, status=EpisodeStatus.OPEN).exists()
    }
    made = 0

    def start(key, user):
        nonlocal made
        made += 1
        return s.plan_start(episodes[key], acting_user=user).plan

    def save(plan, user, **kw):
        return s.plan_update(plan, expected_version=plan.version, acting_user=user, **kw).plan

    def action(plan, user, **kw):
        return s.action_add(plan, expected_version=plan.version, acting_user=user, **kw).plan

    # A draft: handleplansansvarlig appointed, intake interview held yesterday.
    if "remanded" in episodes:
        plan = start("remanded", krfo)
        save(
            plan,
            krfo,
            status="draft",
            responsible=krfo,
            intake_on=today,
            facts={"no_suitable_housing": True},
            areas={"housing": {"assessment": "Har mistet lejligheden ved anholdelsen.", "goals": ""}},
        )
        # Housing shared with København on the client's consent (demo.consent records it), when it is live.
        from samarbejde.consent.selectors import consent_live_for

        home = plan.person.home_municipality
        if consent_live_for(plan.person, recipient=home, category="housing") is not None:
            plan.refresh_from_db()
            s.plan_share(plan, expected_version=plan.version, shares={"housing": "consent"}, acting_user=krfo)

    # Written and shared with København on the legal basis (BEK 642/2006 §§ 1 and 3).
    if "answered" in episodes:
        plan = start("answered", krfo)
        plan = save(
            plan,
            krfo,
            status="written",
            responsible=krfo,
            intake_on=today - timedelta(days=4),
            facts={"no_suitable_housing": True, "no_suitable_income": False},
            areas={
                "housing": {"assessment": "Ingen bolig ved løsladelse.", "goals": "Egen bolig ved løsladelse."},
                "finances": {"assessment": "Kontanthjælp standset.", "goals": "Forsørgelse fra løsladelsesdagen."},
                "addiction": {"assessment": "Hashmisbrug.", "goals": "Behandling under afsoningen."},
            },
        )
        plan = action(
            plan,
            krfo,
            category="housing",
            description="Ansøgning om boligsocial anvisning",
            responsible_kind="client",
            due_on=today + timedelta(days=14),
        )
        plan = action(
            plan,
            krfo,
            category="addiction",
            description="Motivationssamtaler med fængslets misbrugsbehandler",
            responsible_kind="krfo_unit",
            responsible_organisation=episodes["answered"].institution,
            due_on=today + timedelta(days=30),
            status="in_progress",
        )
        s.plan_share(
            plan, expected_version=plan.version, shares={"housing": "legal", "finances": "legal"}, acting_user=krfo
        )

    # Written, shared with Odense, which adds its commitment and its § 141 reference.
    if "transferred" in episodes:
        odense = Organisation.objects.get(code="461")
        plan = start("transferred", leader)
        plan = save(
            plan,
            leader,
            status="written",
            responsible=leader,
            intake_on=today - timedelta(days=5),
            areas={
                "employment": {
                    "assessment": "Ufaglært, ledig før indsættelsen.",
                    "goals": "Uddannelse efter løsladelse.",
                }
            },
        )
        plan = s.plan_share(
            plan, expected_version=plan.version, shares={"employment": "legal"}, acting_user=leader
        ).plan
        coordinator = demo_actor("odense.koordinator")
        department = Department.objects.filter(organisation=odense, kind="jobcenter").first()
        plan = action(
            plan,
            coordinator,
            category="employment",
            description="Uddannelsesplan med jobcentrets ungeteam",
            responsible_kind="municipal_department",
            responsible_organisation=odense,
            responsible_department=department,
            due_on=today + timedelta(days=45),
        )
        plan = s.plan_set_municipal_reference(
            plan, expected_version=plan.version, reference="OK-2026-0412 (§ 141)", acting_user=coordinator
        ).plan
        s.comment_add(
            plan,
            text="Jobcentret kontakter borgeren to måneder før løsladelsen.",
            category="employment",
            acting_user=coordinator,
        )

    # Done: every action done or declined.
    if "serving" in episodes:
        plan = start("serving", leader)
        plan = save(
            plan,
            leader,
            status="written",
            responsible=leader,
            intake_on=today - timedelta(days=3),
            areas={"health": {"assessment": "Diabetes.", "goals": "Fast læge efter løsladelsen."}},
        )
        plan = action(
            plan,
            leader,
            category="health",
            description="Tilmelding hos praktiserende læge",
            responsible_kind="client",
            due_on=today + timedelta(days=7),
            status="done",
        )
        plan = action(
            plan,
            leader,
            category="leisure",
            description="Fritidsaktivitet i fængslet",
            responsible_kind="other",
            responsible_other="Fængslets fritidsafdeling",
            due_on=today + timedelta(days=7),
            status="declined",
            decline_reason="Klienten ønsker det ikke.",
        )
        save(plan, leader, status="done", responsible=leader, intake_on=plan.intake_on)

    # The overdue person has no plan: the sweep reminds and escalates, as the periodic task would.
    deadline_sweep(today)
    return made
