"""Factories for consent tests, also for the apps that gate on consent (action_plans, pre_sentence, custody).

    ConsentFactory(person=person, recipients=[municipality("101")], categories=[DataCategory.HOUSING])

creates a live consent (given today, valid for CONSENT_DEFAULT_VALIDITY_DAYS) covering every recipient x
category, recorded by a KRFO case worker of the holding institution. Rows are written directly (no access
check, no audit): use consent.services.consent_give to test the recording itself. `recipients` default to the
person's home municipality, `categories` to every DataCategory. Pass `given_on` / `expires_on` for an old or
expired one; `revoke(consent)` below revokes one the same direct way (no notice).
"""

from datetime import timedelta

import factory
from django.utils import timezone

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent, ConsentRevocation, ConsentScope, GivenHow
from samarbejde.consent.services import default_expiry
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

RECORDER_UNIT = "krfo-koebenhavns-faengsler"


def _recorder():
    return user_with_role(Role.KRFO_CASE_WORKER, RECORDER_UNIT)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent
        skip_postgeneration_save = True

    purpose = "Koordinering af handleplan"
    given_how = GivenHow.ORAL
    witness_name = "Vibeke Vidne"
    witness_role = "Fængselsbetjent"
    given_on = factory.LazyFunction(timezone.localdate)
    expires_on = factory.LazyAttribute(lambda o: default_expiry(o.given_on))
    recorded_by = factory.LazyFunction(_recorder)
    recorded_by_organisation = factory.LazyFunction(lambda: Organisation.objects.get(code=RECORDER_UNIT))
    recorded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def recipients(self, create, extracted, **kwargs):
        self._recipients = list(extracted) if extracted else [self.person.home_municipality]

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        categories = list(extracted) if extracted else list(DataCategory.values)
        if create:
            ConsentScope.objects.bulk_create(
                [
                    ConsentScope(consent=self, recipient=org, category=category)
                    for org in self._recipients
                    for category in categories
                ]
            )


def revoke(consent: Consent, *, at=None, reason: str = "Borgeren har tilbagekaldt samtykket") -> ConsentRevocation:
    at = at or timezone.now()
    Consent.objects.filter(pk=consent.pk).update(revoked_at=at)
    consent.revoked_at = at
    return ConsentRevocation.objects.create(
        consent=consent,
        revoked_on=timezone.localdate(at),
        reason=reason,
        recorded_by=consent.recorded_by,
        recorded_by_organisation=consent.recorded_by_organisation,
        recorded_at=at,
    )


def expired_consent(person, **kwargs) -> Consent:
    given = timezone.localdate() - timedelta(days=400)
    return ConsentFactory(person=person, given_on=given, expires_on=given + timedelta(days=365), **kwargs)
