"""Fixtures for the audit and admin tests (built on factories.py)."""

import pytest

from samarbejde.audit.tests.factories import PersonFactory
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role


@pytest.fixture
def admin_user(db):
    return user_with_role(Role.ADMINISTRATOR, username="revision.admin", first_name="Anne", last_name="Admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def krfo_user(db):
    return user_with_role(Role.KRFO_CASE_WORKER, username="karin.krfo", first_name="Karin", last_name="Kofoed")


@pytest.fixture
def municipal_user(db):
    return user_with_role(Role.MUNICIPAL_CASE_WORKER, username="mette.kbh", first_name="Mette", last_name="Holm")


@pytest.fixture
def person(db):
    return PersonFactory(cpr="0101901234", first_name="Jens", last_name="Jensen")


@pytest.fixture
def other_person(db):
    return PersonFactory(cpr="0202851234", first_name="Hanne", last_name="Hansen")
