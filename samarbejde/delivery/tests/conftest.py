import pytest

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.organisations.models import Organisation

MAILBOX = "ydelser@kk.example.dk"
NAME = ("Ingeborg", "Skovgaard-Villadsen")
CPR = "0101801234"


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def mailbox():
    """Give Copenhagen (101) a functional mailbox: its notices get an e-mail delivery besides the inbox."""
    Organisation.objects.filter(code="101").update(email=MAILBOX)
    return MAILBOX


@pytest.fixture
def admitted(worker):
    """Admit a person with benefits (three notices, two of them to 101); returns the outcome. Pass another
    `cpr` to admit a second person."""

    def _admit(cpr=CPR):
        person = make_person(
            acting_user=worker,
            first_name=NAME[0],
            last_name=NAME[1],
            cpr=cpr,
            pension="folkepension",
            benefits=["kontanthjaelp"],
        )
        return admit(person, acting_user=worker)

    return _admit


@pytest.fixture
def receiver():
    """A real HTTP receiver on loopback (see receiver.py); set .behaviour and .secret in the test."""
    from .receiver import Receiver

    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def subscribe():
    """Subscribe organisations (by code) to a URL through the service; returns (subscription, secret) pairs."""
    from samarbejde.delivery.services import webhook_subscription_create

    def _subscribe(url, *codes, acting_user=None):
        return [
            webhook_subscription_create(
                Organisation.objects.get(code=code), url, f"Test {code}", acting_user=acting_user
            )
            for code in codes or ("101",)
        ]

    return _subscribe
