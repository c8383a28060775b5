"""The handleplan's notice rules (notifications.rules, the action_plans block) as a table, and their registry
entries (kind, legal basis in the catalogue, routing topic, snapshot fields)."""

import pytest

from samarbejde.legal.selectors import paragraphs_by_key
from samarbejde.notifications import registry as R
from samarbejde.notifications import rules
from samarbejde.notifications.rules import PersonSituation, Recipient


def situation(**facts):
    return PersonSituation.from_facts({"home_municipality": "101", **facts})


@pytest.mark.parametrize(
    ("trigger", "facts", "expected"),
    [
        ("action_plans.due", {"institution_code": "krfo-x"}, [Recipient("action_plans.due", "krfo-x")]),
        (
            "action_plans.overdue",
            {"institution_code": "krfo-x", "responsible_unit": "u1"},
            [Recipient("action_plans.overdue", "krfo-x", unit="u1", routed=True)],
        ),
        ("action_plans.due", {}, []),
        (
            "action_plans.shared",
            {"municipality_code": "147"},
            [Recipient("action_plans.shared", "147", R.TOPIC_ACTION_PLAN)],
        ),
        ("action_plans.changed", {}, [Recipient("action_plans.changed", "101", R.TOPIC_ACTION_PLAN)]),
    ],
)
def test_recipients_table(trigger, facts, expected):
    found = rules.recipients_for(trigger, situation(**facts))
    assert [(r.rule, r.organisation_code, r.topic, r.unit) for r in found] == [
        (r.rule, r.organisation_code, r.topic, r.unit) for r in expected
    ]


def test_the_municipality_receives_in_its_social_services_by_default():
    assert rules.default_unit_kind(R.TOPIC_ACTION_PLAN) == "socialforvaltning"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule", ["action_plans.due", "action_plans.overdue", "action_plans.shared", "action_plans.changed"]
)
def test_registry_entries_cite_paragraphs_in_the_catalogue(rule):
    entry = R.notice_type(rule)
    assert entry.version == 1 and entry.title and entry.deadline.source
    assert entry.legal_basis in paragraphs_by_key({entry.legal_basis})
    assert all(name in R.SNAPSHOT_FIELDS for name in entry.snapshot_fields)


@pytest.mark.django_db
def test_the_applicability_rules_cite_paragraphs_in_the_catalogue():
    from samarbejde.action_plans import rules as plan_rules

    keys = {plan_rules.BASIS_DUTY, plan_rules.BASIS_SHORT, plan_rules.BASIS_ANYWAY, plan_rules.BASIS_REMAND}
    assert set(paragraphs_by_key(keys)) == keys
