"""Helpers for custody and notification tests: people and admissions through the real services.

Reference data (municipalities, KRFO institutions, the legal catalogue) is in the test database already.
"""

import itertools
from datetime import datetime

from django.utils import timezone

from samarbejde.custody.models import CustodyType, ReleaseCertainty
from samarbejde.custody.services import episode_admit
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.models import PensionKind
from samarbejde.people.services import person_register

_serial = itertools.count(1)
INSTITUTION = "krfo-koebenhavns-faengsler"
OTHER_INSTITUTION = "krfo-storstroem"


def krfo_case_worker(**fields):
    return user_with_role(Role.KRFO_CASE_WORKER, INSTITUTION, **fields)


def next_cpr() -> str:
    n = next(_serial)
    return f"0101{70 + n % 30:02d}{n:04d}"


def make_person(*, acting_user, home: str | None = "101", pension=PensionKind.NONE, benefits=(), **fields):
    return person_register(
        cpr=fields.pop("cpr", None) or next_cpr(),
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", "Person"),
        address=fields.pop("address", "Testvej 1, 2450 København SV"),
        home_municipality=Organisation.objects.get(code=home) if home else None,
        pension=pension,
        benefits=list(benefits),
        acting_user=acting_user,
    )


def admit(person, *, acting_user, admitted_at: datetime | None = None, expected=None, certainty=None, **kw):
    return episode_admit(
        person,
        institution=kw.pop("institution", None) or Organisation.objects.get(code=INSTITUTION),
        custody_type=kw.pop("custody_type", CustodyType.REMAND),
        admitted_at=admitted_at or timezone.now(),
        expected_release=expected,
        certainty=certainty or (ReleaseCertainty.ESTIMATED if expected else None),
        acting_user=acting_user,
        **kw,
    )
