"""The access matrix's world (world.py), built once per module."""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.access_matrix.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, inside a transaction that is rolled back after the module (each test runs in a savepoint of
    it, so what a test writes is gone before the next). Every web subject has a signed-in client."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        built = build_world()
        built.clients = {}
        for subject in built.subjects:
            client = Client()
            if subject.user is not None:
                client.force_login(subject.user)
            built.clients[subject.key] = client
        yield built
        transaction.set_rollback(True)
