"""Shared fixtures: reference data is loaded once per test database (it is what `make run` loads)."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from samarbejde.legal.reference import load_acts
    from samarbejde.organisations.reference import load_municipalities, load_other_organisations

    with django_db_blocker.unblock():
        load_municipalities()
        load_other_organisations()
        load_acts()
