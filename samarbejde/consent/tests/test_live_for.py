"""consent_live_for as a table (and as a property): given on or before the day, through its expiry day
inclusive, not revoked before the moment asked about, and covering exactly that recipient x category.
Also the revocation rule's table (notifications.rules, trigger consent.revocation)."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent
from samarbejde.consent.selectors import consent_categories_live_for, consent_live_for
from samarbejde.consent.tests.factories import ConsentFactory, revoke
from samarbejde.custody.tests.factories import krfo_case_worker, make_person
from samarbejde.notifications import rules
from samarbejde.organisations.models import Organisation

GIVEN, EXPIRES = date(2026, 3, 1), date(2026, 6, 30)
REVOKED_AT = timezone.make_aware(datetime(2026, 5, 1, 12, 0))


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


@pytest.fixture
def world(db):
    worker = krfo_case_worker()
    person = make_person(acting_user=worker)
    kbh, aarhus = Organisation.objects.get(code="101"), Organisation.objects.get(code="751")
    consent = ConsentFactory(
        person=person, recipients=[kbh], categories=[DataCategory.HOUSING], given_on=GIVEN, expires_on=EXPIRES
    )
    return {
        "person": person,
        "kbh": kbh,
        "aarhus": aarhus,
        "consent": consent,
        "other": make_person(acting_user=worker),
    }


@pytest.mark.parametrize(
    ("case", "recipient", "category", "moment", "revoked", "live"),
    [
        ("the day it is given", "kbh", "housing", at(GIVEN, 0), False, True),
        ("the day before it is given", "kbh", "housing", at(GIVEN - timedelta(days=1)), False, False),
        ("its last day", "kbh", "housing", at(EXPIRES, 23), False, True),
        ("the day after", "kbh", "housing", at(EXPIRES + timedelta(days=1), 0), False, False),
        ("a date inside", "kbh", "housing", date(2026, 4, 1), False, True),
        ("another category", "kbh", "health", at(date(2026, 4, 1)), False, False),
        ("another recipient", "aarhus", "housing", at(date(2026, 4, 1)), False, False),
        ("before the revocation", "kbh", "housing", REVOKED_AT - timedelta(minutes=1), True, True),
        ("at the revocation", "kbh", "housing", REVOKED_AT, True, False),
        ("after the revocation", "kbh", "housing", REVOKED_AT + timedelta(days=1), True, False),
        ("the revocation's day, as a date", "kbh", "housing", REVOKED_AT.date(), True, False),
        ("the day before it, as a date", "kbh", "housing", REVOKED_AT.date() - timedelta(days=1), True, True),
    ],
)
def test_live_for_table(world, case, recipient, category, moment, revoked, live):
    if revoked:
        revoke(world["consent"], at=REVOKED_AT)
    found = consent_live_for(world["person"], recipient=world[recipient], category=category, at=moment)
    assert (found == world["consent"]) is live, case
    assert (category in consent_categories_live_for(world["person"], recipient=world[recipient], at=moment)) is live
    # Nobody else's consent covers anything.
    assert consent_live_for(world["other"], recipient=world[recipient], category=category, at=moment) is None


def test_live_for_takes_an_organisation_or_its_pk_and_ignores_the_purpose(world):
    day = date(2026, 4, 1)
    assert consent_live_for(world["person"], recipient=world["kbh"].pk, category="housing", at=day) == world["consent"]
    assert (
        consent_live_for(world["person"], recipient=world["kbh"], category="housing", purpose="Andet formål", at=day)
        == world["consent"]
    )
    assert consent_live_for(None, recipient=world["kbh"], category="housing") is None
    assert consent_live_for(world["person"], recipient=None, category="housing") is None


def test_live_for_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        consent_live_for(world["person"], recipient=world["kbh"], category="housing", at=date(2026, 4, 1))
    with django_assert_num_queries(1):
        consent_categories_live_for(world["person"], recipient=world["kbh"], at=date(2026, 4, 1))


class LiveForProperty(HypothesisTestCase):
    """For any consent period and any day: live exactly when given_on <= day <= expires_on (not revoked)."""

    @settings(max_examples=40, deadline=None)
    @given(
        start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
        length=st.integers(min_value=1, max_value=1096),
        offset=st.integers(min_value=-30, max_value=1130),
    )
    def test_live_exactly_inside_the_period(self, start, length, offset):
        worker = krfo_case_worker()
        person = make_person(acting_user=worker)
        kbh = Organisation.objects.get(code="101")
        consent = ConsentFactory(
            person=person,
            recipients=[kbh],
            categories=[DataCategory.CASE_FILES],
            given_on=start,
            expires_on=start + timedelta(days=length),
        )
        day = start + timedelta(days=offset)
        expected = consent.given_on <= day <= consent.expires_on
        assert (consent_live_for(person, recipient=kbh, category="case_files", at=day) == consent) is expected
        Consent.objects.filter(pk=consent.pk).delete()


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"consent_recipients": ["101"]}, [("consent.revoked", "101")]),
        ({"consent_recipients": ["101", "751", "101"]}, [("consent.revoked", "101"), ("consent.revoked", "751")]),
        ({"consent_recipients": []}, []),
        ({}, []),
    ],
)
def test_the_revocation_rule(facts, expected):
    situation = rules.PersonSituation.from_facts(facts)
    found = rules.recipients_for(rules.CONSENT_REVOCATION, situation)
    assert [(r.rule, r.organisation_code) for r in found] == expected
    assert all(r.notice_type.needs_answer is False for r in found)
