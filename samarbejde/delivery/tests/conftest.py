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
    """Admit a person with benefits (four notices, two of them to 101); returns the outcome."""

    def _admit():
        person = make_person(
            acting_user=worker,
            first_name=NAME[0],
            last_name=NAME[1],
            cpr=CPR,
            pension="folkepension",
            benefits=["kontanthjaelp"],
        )
        return admit(person, acting_user=worker)

    return _admit
