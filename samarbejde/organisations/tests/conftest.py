"""Fixtures for the directory change-request tests (built on factories.py)."""

import pytest

from samarbejde.organisations.models import ContactFunction
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import ContactFactory, municipality, user_with_role


@pytest.fixture
def kbh():
    return municipality("101")


@pytest.fixture
def aarhus():
    return municipality("751")


@pytest.fixture
def contact(kbh):
    return ContactFactory(
        organisation=kbh,
        function=ContactFunction.RELEASE,
        unit_name="Socialcenter, team for løsladte",
        secure_mailbox="loesladelse@kk.invalid",
        phone="33 66 33 66",
    )


@pytest.fixture
def coordinator():
    return user_with_role(Role.MUNICIPAL_COORDINATOR, "101", username="kbh.koordinator")


@pytest.fixture
def krfo_user():
    return user_with_role(Role.KRFO_CASE_WORKER, username="krfo.sagsbehandler")


@pytest.fixture
def admin_user():
    return user_with_role(Role.ADMINISTRATOR, username="admin")
