"""Shared fixtures: reference data is loaded once per test database (it is what `make run` loads)."""

import pytest

# The log check (no CPR number used by the tests in any log record of the run) and pytester for its own test.
pytest_plugins = ["tests.privacy.logcheck", "pytester"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from samarbejde.core.tests.reference import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in Danish (settings.LANGUAGE_CODE): a request in English (the language switch, an
    English page) leaves English active in the thread, and a later test in the same worker would read its
    services' Danish messages in English (which file follows which depends on how xdist deals them out)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker):
    """For modules with transactional tests (threads and processes need committed data): the flush after
    each such test also removes the reference data loaded once per session, so those tests load it first
    (load_reference_data) and this puts it back for the modules that follow."""
    yield
    from samarbejde.core.tests.reference import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


def _is_transactional(item) -> bool:
    """As pytest-django decides it (its collection order puts these last): the test's tables are flushed after it."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put the reference data back after a transactional test's flush when a non-transactional test follows.

    In one process pytest-django runs every transactional test after all the others, so the flush could not
    reach them; with pytest-xdist (make test) a worker gets whole files in turn, so a browser test's flush can
    come before a test that relies on the reference data loaded once per session (django_db_setup)."""
    result = yield
    if nextitem is not None and _is_transactional(item) and not _is_transactional(nextitem):
        from pytest_django.plugin import blocking_manager_key

        from samarbejde.core.tests.reference import load_reference_data

        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
    return result
