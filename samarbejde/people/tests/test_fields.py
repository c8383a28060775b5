"""The field policy table (people.fields, ADR 0011): the whole matrix, its invariants and its helpers."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context as TemplateContext
from django.template import Template

from samarbejde.organisations.roles import Role
from samarbejde.people.fields import (
    KRFO_CASE_WORKERS,
    POLICY,
    RULES,
    Context,
    Field,
    FieldView,
    Rule,
    Show,
    _table,
    field_view,
    reason_for,
    show_for,
)
from samarbejde.people.models import Person

F, M, H = Show.FULL, Show.MASKED, Show.HIDDEN
KRFO = (Role.KRFO_CASE_WORKER, Role.KRFO_MANAGER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR)
RECIPIENTS = (Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.POLICE_OFFICER, Role.UDK_OFFICER)
ORDER = (Field.NAME, Field.CPR, Field.ADDRESS, Field.CUSTODY_TYPE, Field.HEALTH, Field.ADDICTION)

# The decision, written out once more: (context, role) -> (name, cpr, address, custody type, health, addiction).
# Anything not listed: all hidden. A change of the policy changes this table and ADR 0011 together.
EXPECTED: dict[tuple[Context, str], tuple[Show, ...]] = {
    **{(Context.NOTICE, role): (F, F, F, F, H, H) for role in (*KRFO, *RECIPIENTS)},
    **{(Context.INBOX_ROW, role): (F, M, H, H, H, H) for role in RECIPIENTS},
    **{(Context.KRFO_CASE, role): (F, F, F, F, F, F) for role in KRFO_CASE_WORKERS},
    (Context.KRFO_CASE, Role.KRFO_MANAGER): (F, F, F, F, H, H),
    (Context.AUDIT, Role.ADMINISTRATOR): (F, M, H, H, H, H),
    (Context.SUBJECT_REPORT, Role.ADMINISTRATOR): (F, F, H, H, H, H),
}
CELLS = [(context, role) for context in Context for role in [*Role, None]]


@pytest.mark.parametrize(("context", "role"), CELLS)
def test_the_policy_matrix(context, role):
    expected = EXPECTED.get((context, role), (H,) * len(ORDER))
    assert tuple(show_for(role, context, field) for field in ORDER) == expected


def test_the_matrix_covers_every_field_role_and_context():
    assert set(ORDER) == set(Field)
    assert {context for context, _ in EXPECTED} == set(Context)
    assert {role for _, role in EXPECTED} == set(Role)


def test_health_and_addiction_only_for_krfo_case_workers_in_their_cases():
    for (context, role, field), rule in POLICY.items():
        if field in (Field.HEALTH, Field.ADDICTION):
            assert context == Context.KRFO_CASE and role in KRFO_CASE_WORKERS and rule.show == Show.FULL
    assert {Role.KRFO_CASE_WORKER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR} == KRFO_CASE_WORKERS


def test_the_addressed_recipients_see_the_full_cpr_on_the_notice_and_a_masked_one_in_rows():
    for role in (Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.UDK_OFFICER, Role.POLICE_OFFICER):
        assert show_for(role, Context.NOTICE, Field.CPR) == Show.FULL
        assert show_for(role, Context.INBOX_ROW, Field.CPR) == Show.MASKED
        assert "databeskyttelsesloven § 11" in reason_for(role, Context.NOTICE, Field.CPR)


def test_every_rule_has_a_reason_and_administrators_see_no_case_fields():
    assert all(rule.reason.strip() for rule in RULES)
    for context in Context:
        for field in (Field.ADDRESS, Field.CUSTODY_TYPE, Field.HEALTH, Field.ADDICTION):
            assert show_for(Role.ADMINISTRATOR, context, field) == Show.HIDDEN
    assert reason_for(Role.ADMINISTRATOR, Context.NOTICE, Field.CPR).startswith("Ingen regel")


def test_two_rules_for_one_cell_or_a_masked_address_are_refused():
    one = Rule(Context.NOTICE, frozenset({Field.CPR}), frozenset({Role.UDK_OFFICER}), Show.FULL, "a")
    with pytest.raises(ValueError, match="Two rules"):
        _table((one, Rule(Context.NOTICE, frozenset({Field.CPR}), frozenset({Role.UDK_OFFICER}), Show.MASKED, "b")))
    with pytest.raises(ValueError, match="Only the CPR"):
        _table((Rule(Context.NOTICE, frozenset({Field.ADDRESS}), frozenset({Role.UDK_OFFICER}), Show.MASKED, "c"),))


SNAPSHOT = {
    "cpr": "0101901234",
    "name": "Jens Hansen",
    "custody_type": "remand",
    "address_after_release": "Nyvej 2",
    "health": "x",
    "institution": {"name": "Københavns Fængsler"},
}


def test_snapshot_in_a_notice_keeps_what_the_rule_sent_but_never_health():
    shown = FieldView(Role.MUNICIPAL_CASE_WORKER, Context.NOTICE).snapshot(SNAPSHOT)
    assert shown == {k: v for k, v in SNAPSHOT.items() if k != "health"}


def test_snapshot_in_a_row_masks_the_cpr_and_drops_the_address_and_custody_type():
    shown = FieldView(Role.UDK_OFFICER, Context.INBOX_ROW).snapshot(SNAPSHOT)
    assert shown == {"cpr": "010190-xxxx", "name": "Jens Hansen", "institution": {"name": "Københavns Fængsler"}}


@pytest.fixture
def person():
    return Person(cpr="0101901234", first_name="Jens", last_name="Hansen")  # not saved: no database needed


def test_no_membership_sees_no_person_field(person):
    view = field_view(None, Context.NOTICE)
    assert view.role is None and view.cpr(person) == ""
    assert view.snapshot(SNAPSHOT) == {"institution": {"name": "Københavns Fængsler"}}
    assert not (view.name or view.address or view.custody_type or view.health or view.addiction)


def test_cpr_for_filter(person):
    template = Template("{% load person_fields %}[{{ person|cpr_for:fields }}]")
    full = FieldView(Role.KRFO_CASE_WORKER, Context.KRFO_CASE)
    assert template.render(TemplateContext({"person": person, "fields": full})) == "[010190-1234]"
    masked = FieldView(Role.ADMINISTRATOR, Context.AUDIT)
    assert template.render(TemplateContext({"person": person, "fields": masked})) == "[010190-xxxx]"
    assert template.render(TemplateContext({"person": person, "fields": "not a policy"})) == "[]"


def test_no_template_or_view_formats_a_cpr_past_the_policy():
    """Pages and PDFs show a person's CPR number through people.fields only (the cpr_for filter or a
    FieldView), not with Person.cpr_formatted / cpr_masked or people.access.display_cpr."""
    root = Path(settings.BASE_DIR) / "samarbejde"
    offenders = []
    for path in root.rglob("*.html"):
        if re.search(r"\.cpr_(formatted|masked)\b", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "access.py":
            continue
        if re.search(r"\b(display_cpr|may_see_full_cpr)\b", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
