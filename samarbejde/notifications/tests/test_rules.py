"""The notification rules, table-driven: every trigger x every person situation -> rules, recipients and units.

Pure functions: no database. Routing here is the default routing (rules.default_unit_kind), with the unit
kind standing in for the unit; routing through a municipality's own table is tested in test_routing.py.
The last tests check that every rule's legal basis is in the catalogue (by stable key).
"""

from dataclasses import replace
from datetime import date

import pytest

from samarbejde.legal.selectors import paragraph_by_key
from samarbejde.notifications import registry, rules
from samarbejde.notifications.registry import Deadline
from samarbejde.notifications.rules import Notified, PersonSituation, RuleConfig, recipients_for

Y, J, B, S = "ydelse", "jobcenter", "borgerservice", "socialforvaltning"
U = rules.UDBETALING_DANMARK_CODE
KONT, SYGE = "kontanthjaelp", "sygedagpenge"
CONFIG = RuleConfig()  # the default: 92 days

SITUATIONS = {
    "no_benefits": PersonSituation("101"),
    "kontanthjaelp": PersonSituation("101", benefits=(KONT,)),
    "folkepension": PersonSituation("101", pension="folkepension"),
    "foertidspension_kontanthjaelp": PersonSituation("101", pension="foertidspension", benefits=(KONT,)),
    "short_stay": PersonSituation("101", benefits=(KONT,), stay_days=30),
    "long_stay": PersonSituation("101", benefits=(KONT,), stay_days=200),
    "unknown_home_pensioner_long": PersonSituation(None, pension="folkepension", stay_days=200),
    "kontanthjaelp_sygedagpenge": PersonSituation("101", benefits=(KONT, SYGE)),
}


def pensioners(prefix, pension="folkepension"):
    return [(f"{prefix}.pension_udk", U, None, (pension,)), (f"{prefix}.pension_rent", "101", S, (pension,))]


ADMISSION = {
    "no_benefits": [("admission.no_benefits", "101", Y, ())],
    "kontanthjaelp": [("admission.benefits", "101", Y, (KONT,))],
    # A pensioner without benefits: the pension notices tell the municipality (the København example).
    "folkepension": pensioners("admission"),
    "foertidspension_kontanthjaelp": [
        ("admission.benefits", "101", Y, (KONT,)),
        *pensioners("admission", "foertidspension"),
    ],
    "short_stay": [("admission.benefits", "101", Y, (KONT,))],
    "long_stay": [("admission.benefits", "101", Y, (KONT,)), ("admission.cpr_register", "101", B, ())],
    "unknown_home_pensioner_long": [
        ("admission.cpr_register", None, B, ()),
        ("admission.pension_udk", U, None, ("folkepension",)),
        ("admission.pension_rent", None, S, ("folkepension",)),
    ],
    "kontanthjaelp_sygedagpenge": [
        ("admission.benefits", "101", Y, (KONT,)),
        ("admission.benefits", "101", J, (SYGE,)),
    ],
}
TRANSFER = {
    "no_benefits": [("101", Y)],
    "kontanthjaelp": [("101", Y)],
    "folkepension": [("101", S)],
    "foertidspension_kontanthjaelp": [("101", Y), ("101", S)],
    "short_stay": [("101", Y)],
    "long_stay": [("101", Y)],  # not the CPR register
    "unknown_home_pensioner_long": [(None, Y)],
    "kontanthjaelp_sygedagpenge": [("101", Y), ("101", J)],
}
RELEASE_DATE_CHANGE = {
    "no_benefits": [("benefits", "101", Y)],
    "kontanthjaelp": [("benefits", "101", Y)],
    "folkepension": [("pension_udk", U, None), ("pension_rent", "101", S)],
    "foertidspension_kontanthjaelp": [("benefits", "101", Y), ("pension_udk", U, None), ("pension_rent", "101", S)],
    "short_stay": [("benefits", "101", Y)],
    "long_stay": [("benefits", "101", Y), ("cpr_register", "101", B)],
    # Only UDK was reachable at admission; the CPR notice (never sent) is due now but has no address.
    "unknown_home_pensioner_long": [("pension_udk", U, None), ("admission.cpr_register", None, B)],
    "kontanthjaelp_sygedagpenge": [("benefits", "101", Y), ("benefits", "101", J)],
}
RELEASE = {
    "no_benefits": [("benefits", "101", Y)],
    "kontanthjaelp": [("benefits", "101", Y)],
    "folkepension": [("pension_udk", U, None), ("pension_rent", "101", S)],
    "foertidspension_kontanthjaelp": [("benefits", "101", Y), ("pension_udk", U, None), ("pension_rent", "101", S)],
    "short_stay": [("benefits", "101", Y)],
    "long_stay": [("benefits", "101", Y), ("cpr_register", "101", B)],
    "unknown_home_pensioner_long": [("cpr_register", None, B), ("pension_udk", U, None), ("pension_rent", None, S)],
    "kontanthjaelp_sygedagpenge": [("benefits", "101", Y), ("benefits", "101", J)],
}


def default_route(recipients):
    """Routing without a database: the unit kind of the default routing stands in for the unit."""
    return [
        r if r.routed or r.unit is not None else replace(r, unit=rules.default_unit_kind(r.topic, r.subjects))
        for r in recipients
    ]


def plan(trigger, situation, already=()):
    return rules.merge(default_route(recipients_for(trigger, situation, already_notified=already, config=CONFIG)))


def sent_at_admission(situation) -> list[Notified]:
    """What the service would have stored at admission: the notices with a known organisation."""
    return [
        Notified(r.organisation_code, r.unit, r.rule) for r in plan(rules.ADMISSION, situation) if r.organisation_code
    ]


def rows(recipients):
    return [(r.rule, r.organisation_code, r.unit, r.subjects) for r in recipients]


def expand(trigger_prefix, expected):
    out = []
    for row in expected:
        rule = row[0] if "." in row[0] else f"{trigger_prefix}.{row[0]}"
        out.append((rule, row[1], row[2]))
    return out


CASES = (
    [(rules.ADMISSION, name, ADMISSION[name]) for name in SITUATIONS]
    + [(rules.CONVERSION, name, []) for name in SITUATIONS]
    + [(rules.TRANSFER, name, [("transfer.notice", o, u) for o, u in TRANSFER[name]]) for name in SITUATIONS]
    + [
        (rules.RELEASE_DATE_CHANGE, name, expand("release_date_change", RELEASE_DATE_CHANGE[name]))
        for name in SITUATIONS
    ]
    + [(rules.RELEASE, name, expand("release", RELEASE[name])) for name in SITUATIONS]
)


@pytest.mark.parametrize(("trigger", "situation", "expected"), CASES, ids=[f"{t}-{s}" for t, s, _ in CASES])
def test_recipients_for_every_trigger_and_situation(trigger, situation, expected):
    situation_obj = SITUATIONS[situation]
    already = [] if trigger == rules.ADMISSION else sent_at_admission(situation_obj)
    got = plan(trigger, situation_obj, already)
    if trigger == rules.ADMISSION:
        assert rows(got) == expected
    else:
        assert [(r.rule, r.organisation_code, r.unit) for r in got] == expected


@pytest.mark.parametrize(
    ("situation", "benefits_by_unit"),
    [
        ("kontanthjaelp", {Y: (KONT,)}),
        ("kontanthjaelp_sygedagpenge", {Y: (KONT,), J: (SYGE,)}),
        (
            "all_six",
            {
                Y: ("kontanthjaelp", "uddannelseshjaelp"),
                J: ("revalidering", "ledighedsydelse", "fleksydelse", "sygedagpenge"),
            },
        ),
    ],
)
def test_benefits_are_asked_per_unit(situation, benefits_by_unit):
    if situation == "all_six":
        situation_obj = PersonSituation("101", benefits=tuple(rules.BENEFIT_UNIT_KIND))
    else:
        situation_obj = SITUATIONS[situation]
    got = [r for r in plan(rules.ADMISSION, situation_obj) if r.rule == "admission.benefits"]
    assert {r.unit: r.subjects for r in got} == benefits_by_unit


@pytest.mark.parametrize(
    ("stay_days", "min_stay", "cpr_notice"),
    [(None, 92, False), (30, 92, False), (91, 92, False), (92, 92, True), (400, 92, True), (60, 60, True)],
)
def test_cpr_register_threshold_is_configurable(stay_days, min_stay, cpr_notice):
    config = RuleConfig(cpr_notice_min_stay_days=min_stay)
    got = recipients_for(rules.ADMISSION, PersonSituation("101", stay_days=stay_days), config=config)
    assert any(r.rule == "admission.cpr_register" for r in got) is cpr_notice


def test_release_date_change_that_makes_the_stay_long_tells_the_cpr_register_once():
    short = SITUATIONS["short_stay"]
    now_long = PersonSituation("101", benefits=(KONT,), stay_days=150)
    got = plan(rules.RELEASE_DATE_CHANGE, now_long, sent_at_admission(short))
    assert [(r.rule, r.unit) for r in got] == [("release_date_change.benefits", Y), ("admission.cpr_register", B)]
    already = [*sent_at_admission(short), Notified("101", B, "admission.cpr_register")]
    again = plan(rules.RELEASE_DATE_CHANGE, now_long, already)
    assert [r.rule for r in again] == ["release_date_change.benefits", "release_date_change.cpr_register"]


def test_release_also_tells_parties_notified_earlier_even_if_the_situation_changed():
    """Told of the admission as a pensioner, no longer a pensioner at release: UDK still hears of it."""
    already = sent_at_admission(SITUATIONS["folkepension"])
    got = plan(rules.RELEASE, SITUATIONS["no_benefits"], already)
    assert [(r.rule, r.organisation_code, r.unit) for r in got] == [
        ("release.benefits", "101", Y),
        ("release.pension_udk", U, None),
        ("release.pension_rent", "101", S),
    ]


def test_coordination_asks_once_per_thread_and_only_on_yes():
    yes = replace(SITUATIONS["kontanthjaelp"], coordinate_action_plan=True)
    assert [r.rule for r in recipients_for(rules.COORDINATION, yes)] == ["coordination.case_files"]
    asked = [Notified("101", S, "coordination.case_files")]
    assert recipients_for(rules.COORDINATION, yes, already_notified=asked) == []
    no = replace(yes, coordinate_action_plan=False)
    assert recipients_for(rules.COORDINATION, no) == []


@pytest.mark.parametrize("covered, asked", [(True, True), (None, True), (False, False)])
def test_the_case_files_request_goes_only_when_the_sender_says_consent_or_an_override_covers_it(covered, asked):
    """Køreplan step 3-4: the sender (custody) checks the consent; False (e.g. a corrected home municipality with
    no consent) sends nothing; None is an event from before the gate."""
    situation = replace(SITUATIONS["kontanthjaelp"], coordinate_action_plan=True, case_files_covered=covered)
    assert bool(recipients_for(rules.COORDINATION, situation)) is asked
    expected = rules.expected_for_correction(situation, CONFIG)
    assert any(r.rule == "coordination.case_files" for r in expected) is asked


def test_reconcile_keeps_what_is_still_right_and_replaces_the_rest():
    before = plan(rules.ADMISSION, SITUATIONS["kontanthjaelp_sygedagpenge"])
    sent = [rules.Sent(i, r.rule, r.organisation_code, r.unit, r.subjects) for i, r in enumerate(before, start=1)] + [
        rules.Sent(9, "transfer.notice", "101", Y)
    ]
    # Moved to Aarhus: everything to København is withdrawn (the transfer notice too), Aarhus gets the two requests.
    moved = plan(rules.CORRECTION, replace(SITUATIONS["kontanthjaelp_sygedagpenge"], home_municipality_code="751"))
    withdraw, send = rules.reconcile(moved, sent)
    assert withdraw == [1, 2, 9]
    assert [(r.rule, r.organisation_code, r.unit) for r in send] == [
        ("admission.benefits", "751", Y),
        ("admission.benefits", "751", J),
    ]
    # Sygedagpenge was wrong: the jobcenter's request is withdrawn, the benefits unit's stays.
    fixed = plan(rules.CORRECTION, SITUATIONS["kontanthjaelp"])
    withdraw, send = rules.reconcile(fixed, sent)
    assert (withdraw, send) == ([2], [])


@pytest.mark.parametrize(
    ("start", "deadline", "due"),
    [
        (date(2027, 3, 24), Deadline(10, True), date(2027, 4, 12)),  # across skærtorsdag..2. påskedag 2027
        (date(2027, 3, 24), Deadline(1, True), date(2027, 3, 30)),
        (date(2027, 3, 24), Deadline(5, False), date(2027, 3, 29)),  # calendar days ignore Easter
        (date(2027, 12, 22), Deadline(10, True), date(2028, 1, 7)),  # juleaften, jul, nytår
        (date(2027, 12, 23), Deadline(1, True), date(2027, 12, 27)),
        (date(2027, 12, 30), Deadline(5, False), date(2028, 1, 4)),
    ],
)
def test_deadlines_across_danish_holidays(start, deadline, due):
    assert deadline.due_from(start) == due


def test_every_rule_named_by_the_rules_is_in_the_registry_and_needs_an_acknowledgement_with_a_deadline():
    named = {
        r.rule
        for trigger in (rules.ADMISSION, rules.TRANSFER, rules.RELEASE_DATE_CHANGE, rules.RELEASE, rules.COORDINATION)
        for situation in SITUATIONS.values()
        for r in recipients_for(
            trigger,
            replace(situation, coordinate_action_plan=True),
            already_notified=sent_at_admission(situation) if trigger != rules.ADMISSION else (),
            config=CONFIG,
        )
    }
    assert named <= set(registry.REGISTRY)
    for notice_type in registry.notice_types():
        assert notice_type.needs_acknowledgement
        assert notice_type.deadline.resolve().days > 0
        assert notice_type.deadline.source
        assert (notice_type.answer is not None) is notice_type.needs_answer


@pytest.mark.django_db
def test_every_rule_cites_a_basis_that_is_in_the_catalogue_by_stable_key():
    for notice_type in registry.notice_types():
        assert paragraph_by_key(notice_type.legal_basis).key == notice_type.legal_basis
