"""The notification rules, table-driven: every event kind x every person situation -> recipients and bases.

Pure functions: no database (except the last test, which checks that every cited basis is in the catalogue).
"""

from datetime import date

import pytest

from samarbejde.legal.selectors import paragraph_by_citation
from samarbejde.notifications import rules
from samarbejde.notifications.models import NotificationKind as K
from samarbejde.notifications.rules import (
    BASIS_CPR_REGISTER as FOLK,
)
from samarbejde.notifications.rules import (
    BASIS_PENSION as PENS,
)
from samarbejde.notifications.rules import (
    BASIS_REPORTING as REP,
)
from samarbejde.notifications.rules import Deadline, Notified, PersonSituation, RuleConfig, recipients_for

Y, J, B, S = "ydelse", "jobcenter", "borgerservice", "socialforvaltning"
U = rules.UDBETALING_DANMARK_CODE
KONT, SYGE = "kontanthjaelp", "sygedagpenge"
CONFIG = RuleConfig()  # the defaults: 92 days, 5 calendar days, 10 business days

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
PENSIONERS = [(U, None, K.PENSION_NOTICE, PENS), ("101", S, K.PENSION_NOTICE, PENS)]

ADMISSION = {
    "no_benefits": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP)],
    "kontanthjaelp": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP)],
    "folkepension": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP), *PENSIONERS],
    "foertidspension_kontanthjaelp": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP), *PENSIONERS],
    "short_stay": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP)],
    "long_stay": [("101", Y, K.BENEFITS_DECISION_REQUEST, REP), ("101", B, K.CPR_REGISTER_NOTICE, FOLK)],
    "unknown_home_pensioner_long": [
        (None, Y, K.BENEFITS_DECISION_REQUEST, REP),
        (None, B, K.CPR_REGISTER_NOTICE, FOLK),
        (U, None, K.PENSION_NOTICE, PENS),
        (None, S, K.PENSION_NOTICE, PENS),
    ],
    "kontanthjaelp_sygedagpenge": [
        ("101", Y, K.BENEFITS_DECISION_REQUEST, REP),
        ("101", J, K.BENEFITS_DECISION_REQUEST, REP),
    ],
}
TRANSFER = {
    "no_benefits": [("101", Y)],
    "kontanthjaelp": [("101", Y)],
    "folkepension": [("101", Y), ("101", S)],
    "foertidspension_kontanthjaelp": [("101", Y), ("101", S)],
    "short_stay": [("101", Y)],
    "long_stay": [("101", Y)],  # not the CPR register
    "unknown_home_pensioner_long": [(None, Y)],
    "kontanthjaelp_sygedagpenge": [("101", Y), ("101", J)],
}
RELEASE_DATE_CHANGE = {
    "no_benefits": [("101", Y, REP)],
    "kontanthjaelp": [("101", Y, REP)],
    "folkepension": [("101", Y, REP), (U, None, PENS), ("101", S, PENS)],
    "foertidspension_kontanthjaelp": [("101", Y, REP), (U, None, PENS), ("101", S, PENS)],
    "short_stay": [("101", Y, REP)],
    "long_stay": [("101", Y, REP), ("101", B, FOLK)],
    # Only UDK was reachable at admission; the CPR notice (never sent) is due now but has no address.
    "unknown_home_pensioner_long": [(U, None, PENS), (None, B, FOLK, K.CPR_REGISTER_NOTICE)],
    "kontanthjaelp_sygedagpenge": [("101", Y, REP), ("101", J, REP)],
}
RELEASE = {
    "no_benefits": [("101", Y, REP)],
    "kontanthjaelp": [("101", Y, REP)],
    "folkepension": [("101", Y, REP), (U, None, PENS), ("101", S, PENS)],
    "foertidspension_kontanthjaelp": [("101", Y, REP), (U, None, PENS), ("101", S, PENS)],
    "short_stay": [("101", Y, REP)],
    "long_stay": [("101", Y, REP), ("101", B, FOLK)],
    "unknown_home_pensioner_long": [(None, Y, REP), (None, B, FOLK), (U, None, PENS), (None, S, PENS)],
    "kontanthjaelp_sygedagpenge": [("101", Y, REP), ("101", J, REP)],
}


def sent_at_admission(situation) -> list[Notified]:
    """What the service would have stored at admission: the recipients with a known organisation."""
    return [
        Notified(r.organisation_code, r.department_kind, r.notification_kind, r.legal_basis)
        for r in recipients_for("admission", situation, config=CONFIG)
        if r.organisation_code is not None
    ]


def as_rows(recipients):
    return [(r.organisation_code, r.department_kind, r.notification_kind, r.legal_basis) for r in recipients]


def expand(rows, kind):
    return [
        (row[0], row[1], row[3] if len(row) > 3 else kind, row[2]) if len(row) > 2 else (row[0], row[1], kind, REP)
        for row in rows
    ]


CASES = (
    [("admission", name, ADMISSION[name]) for name in SITUATIONS]
    + [("conversion", name, []) for name in SITUATIONS]
    + [("transfer", name, expand(TRANSFER[name], K.TRANSFER_NOTICE)) for name in SITUATIONS]
    + [
        ("release_date_change", name, expand(RELEASE_DATE_CHANGE[name], K.RELEASE_DATE_CHANGE_NOTICE))
        for name in SITUATIONS
    ]
    + [("release", name, expand(RELEASE[name], K.RELEASE_NOTICE)) for name in SITUATIONS]
)


@pytest.mark.parametrize(("event_kind", "situation", "expected"), CASES, ids=[f"{e}-{s}" for e, s, _ in CASES])
def test_recipients_for_every_event_and_situation(event_kind, situation, expected):
    situation_obj = SITUATIONS[situation]
    already = [] if event_kind == "admission" else sent_at_admission(situation_obj)
    got = recipients_for(event_kind, situation_obj, already_notified=already, config=CONFIG)
    assert as_rows(got) == expected


@pytest.mark.parametrize(
    ("situation", "benefits_by_department"),
    [
        ("no_benefits", {Y: ()}),
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
def test_benefits_are_listed_per_department_with_a_deadline_only_when_there_is_something_to_decide(
    situation, benefits_by_department
):
    if situation == "all_six":
        situation_obj = PersonSituation(
            "101",
            benefits=(
                "kontanthjaelp",
                "uddannelseshjaelp",
                "revalidering",
                "ledighedsydelse",
                "fleksydelse",
                "sygedagpenge",
            ),
        )
    else:
        situation_obj = SITUATIONS[situation]
    got = [
        r
        for r in recipients_for("admission", situation_obj, config=CONFIG)
        if r.notification_kind == K.BENEFITS_DECISION_REQUEST
    ]
    assert {r.department_kind: r.benefits for r in got} == benefits_by_department
    for r in got:
        assert r.deadline == (Deadline(10, business_days=True) if r.benefits else None)


@pytest.mark.parametrize(
    ("stay_days", "min_stay", "cpr_notice"),
    [(None, 92, False), (30, 92, False), (91, 92, False), (92, 92, True), (400, 92, True), (60, 60, True)],
)
def test_cpr_register_threshold_is_configurable(stay_days, min_stay, cpr_notice):
    config = RuleConfig(cpr_notice_min_stay_days=min_stay, cpr_notice_due_days=7)
    got = recipients_for("admission", PersonSituation("101", stay_days=stay_days), config=config)
    cpr = [r for r in got if r.notification_kind == K.CPR_REGISTER_NOTICE]
    assert bool(cpr) is cpr_notice
    if cpr:
        assert cpr[0].deadline == Deadline(7, business_days=False)


def test_release_date_change_that_makes_the_stay_long_tells_the_cpr_register_once():
    short = SITUATIONS["short_stay"]
    now_long = PersonSituation("101", benefits=(KONT,), stay_days=150)
    got = recipients_for("release_date_change", now_long, already_notified=sent_at_admission(short), config=CONFIG)
    assert as_rows(got) == [
        ("101", Y, K.RELEASE_DATE_CHANGE_NOTICE, REP),
        ("101", B, K.CPR_REGISTER_NOTICE, FOLK),
    ]
    already = [*sent_at_admission(short), Notified("101", B, K.CPR_REGISTER_NOTICE, FOLK)]
    again = recipients_for("release_date_change", now_long, already_notified=already, config=CONFIG)
    assert [r.notification_kind for r in again] == [K.RELEASE_DATE_CHANGE_NOTICE] * 2


def test_release_also_tells_parties_notified_earlier_even_if_the_situation_changed():
    """Told of the admission as a pensioner, no longer a pensioner at release: UDK still hears of it."""
    already = sent_at_admission(SITUATIONS["folkepension"])
    got = recipients_for("release", SITUATIONS["no_benefits"], already_notified=already, config=CONFIG)
    assert as_rows(got) == [
        ("101", Y, K.RELEASE_NOTICE, REP),
        (U, None, K.RELEASE_NOTICE, PENS),
        ("101", S, K.RELEASE_NOTICE, PENS),
    ]


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


@pytest.mark.django_db
def test_every_cited_legal_basis_is_in_the_catalogue():
    for basis in (REP, FOLK, PENS):
        paragraph = paragraph_by_citation(*basis)
        assert paragraph.act.short_name == basis[0]
