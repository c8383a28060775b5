"""The handleplan's rules (BEK 421/2015 § 1 and § 1, stk. 2; Køreplan step 5; handleplanscirkulæret § 1) as
tables."""

from datetime import date

import pytest
from django.test import override_settings

from samarbejde.action_plans import rules as r

ADMITTED = date(2027, 1, 10)


def facts(**kw):
    return r.ApplicabilityFacts(**{"custody_type": r.SENTENCE, "admitted_on": ADMITTED, "age": 30, **kw})


KNOWN_NO = {
    "parole_with_supervision": False,
    "non_danish_background": False,
    "no_suitable_housing": False,
    "no_suitable_income": False,
    "children_with_support": False,
}


@pytest.mark.parametrize(
    ("given", "required", "reason", "source"),
    [
        ({"custody_type": r.REMAND}, True, "Varetægtsfængslet", "Handleplanscirkulæret"),
        ({"sentence_days": None}, None, None, None),
        ({"sentence_days": 200}, True, "længere end 4 måneder", "BEK nr. 421 af 9.4.2015 § 1"),
        # 10 Jan + 4 months = 10 May: 120 days reaches exactly 10 May (4 months or less), 121 does not.
        ({"sentence_days": 120, **KNOWN_NO}, False, "4 måneder eller derunder", "BEK nr. 421 af 9.4.2015 § 1"),
        ({"sentence_days": 121, **KNOWN_NO}, True, "længere end 4 måneder", "§ 1"),
        ({"sentence_days": 60, **KNOWN_NO, "parole_with_supervision": True}, True, "tilsyn", "§ 1, stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "age": 17}, True, "Under 18", "§ 1, stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "age": 22, "non_danish_background": True}, True, "Under 26", "stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "age": 30, "non_danish_background": True}, False, "4 måneder", "§ 1"),
        ({"sentence_days": 60, **KNOWN_NO, "no_suitable_housing": True}, True, "bolig", "stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "no_suitable_income": True}, True, "forsørgelse", "stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "children_with_support": True}, True, "børn", "stk. 2"),
        ({"sentence_days": 60, **KNOWN_NO, "other_special_reason": "Psykisk sårbar"}, True, "Særlige", "stk. 2"),
    ],
)
def test_applicability_table(given, required, reason, source):
    result = r.applicability(facts(**given))
    assert result.required is required
    if reason is None:
        assert result.reasons == () and "straffens længde" in result.unknown
        return
    assert any(reason.lower() in x.text.lower() for x in result.reasons), result.reasons
    assert any(source in x.source for x in result.reasons)
    assert all(x.basis for x in result.reasons)


def test_short_sentence_with_unknown_facts_is_not_required_and_names_what_is_unknown():
    result = r.applicability(facts(sentence_days=30, age=None))
    assert result.required is False
    assert set(result.unknown) >= {"alder", "bolig", "forsørgelse", "prøveløsladelse med tilsyn"}


@pytest.mark.parametrize(
    ("custody_type", "admitted", "due"),
    [
        (r.SENTENCE, date(2027, 1, 10), date(2027, 2, 7)),  # 4 weeks (Køreplan step 5)
        (r.SENTENCE, date(2027, 12, 20), date(2028, 1, 17)),
        (r.REMAND, date(2027, 1, 10), date(2027, 1, 24)),  # 14 days, the product choice
    ],
)
def test_deadline_table(custody_type, admitted, due):
    deadline = r.plan_deadline(custody_type, admitted)
    assert deadline.due_on == due
    assert deadline.source


@override_settings(ACTION_PLAN_REMAND_DUE_DAYS=3)
def test_remand_deadline_is_a_setting():
    assert r.plan_deadline(r.REMAND, date(2027, 1, 10)).due_on == date(2027, 1, 13)
    assert "produktvalg" in r.plan_deadline(r.REMAND, date(2027, 1, 10)).source.lower()


@pytest.mark.parametrize(
    ("today", "step"),
    [
        (date(2027, 1, 31), None),
        (date(2027, 2, 1), r.REMINDER),  # 7 days before
        (date(2027, 2, 8), r.REMINDER),  # the deadline itself
        (date(2027, 2, 9), r.ESCALATION),
    ],
)
def test_deadline_steps(today, step):
    assert r.deadline_step(date(2027, 2, 8), today) == step


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2000, 5, 1), date(2018, 4, 30), 17),
        (date(2000, 5, 1), date(2018, 5, 1), 18),
        (None, date(2020, 1, 1), None),
    ],
)
def test_age(birth, day, age):
    assert r.age_on(birth, day) == age
