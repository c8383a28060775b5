"""Shared fixtures: reference data is loaded once per test database (it is what `make run` loads)."""

import pytest

# The log check (no CPR number used by the tests in any log record of the run) and pytester for its own test.
pytest_plugins = ["tests.privacy.logcheck", "pytester"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from samarbejde.core.tests.reference import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker):
    """For modules with transactional tests (threads and processes need committed data): the flush after
    each such test also removes the reference data loaded once per session, so those tests load it first
    (load_reference_data) and this puts it back for the modules that follow."""
    yield
    from samarbejde.core.tests.reference import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
