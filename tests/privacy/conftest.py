"""Users and a person for the privacy tests."""

import pytest

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role


@pytest.fixture
def administrator(db):
    return user_with_role(Role.ADMINISTRATOR, username="privacy.admin")


@pytest.fixture
def worker(db):
    return krfo_case_worker(username="privacy.krfo")


@pytest.fixture
def person(worker):
    person = make_person(acting_user=worker, cpr="0303831234", first_name="Pia", last_name="Privat")
    admit(person, acting_user=worker)  # the worker's prison holds the person: its staff see them (ADR 0008)
    return person
