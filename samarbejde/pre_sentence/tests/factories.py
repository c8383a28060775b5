"""Helpers for § 808 tests: a KiF officer, an investigation and a request, through the real services."""

from datetime import timedelta

from django.utils import timezone

from samarbejde.custody.tests.factories import make_person
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.pre_sentence import services

KIF = "krfo-kif-hovedstaden"


def kif_officer(**fields):
    return user_with_role(Role.PROBATION_OFFICER, KIF, **fields)


def open_investigation(*, acting_user, person=None, days_ahead: int = 30, court="Københavns Byret", home="101"):
    person = person or make_person(acting_user=acting_user, home=home)
    return services.investigation_open(
        person=person,
        court=court,
        hearing_date=timezone.localdate() + timedelta(days=days_ahead),
        acting_user=acting_user,
    )


def send_request(investigation, *, acting_user, recipients=None, due_in: int = 10, questions="Bolig og forsørgelse?"):
    recipients = recipients or [investigation.person.home_municipality or Organisation.objects.get(code="101")]
    return services.information_request_send(
        investigation,
        recipients=recipients,
        questions=questions,
        basis=services.BASIS_PRE_SENTENCE,
        answer_due=timezone.localdate() + timedelta(days=due_in),
        acting_user=acting_user,
    )
