"""Demo consents (issue 11, point 4), made through consent.services, idempotent with the rest of the demo cases.

- "remanded" (København, Københavns Fængsler): a live consent, given orally with a witness, for the case files,
  housing and income with København; KRFO then decides to coordinate the handleplan, so the case-files
  request to København rests on it.
- "overdue": a consent that has run out (registered, then backdated: the service refuses an expired one).
- "transferred" (Odense, now in Storstrøm): a consent given on a signed form (the printed blank form) and
  revoked by the client; Odense is told by a notice.
- "serving" (Aarhus, Storstrøm): one disclosure without consent by the manager, with a reason (the override
  list shows it).
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent, GivenHow
from samarbejde.consent.printing import blank_form_pdf
from samarbejde.consent.services import consent_give, consent_require, consent_revoke
from samarbejde.custody.models import Episode, EpisodeStatus
from samarbejde.custody.services import episode_decide_coordination
from samarbejde.organisations.models import Organisation


def load_demo_consents(people: dict, *, krfo, leader) -> int:
    """The four demo cases above; returns how many consents it recorded (0 when they exist)."""
    if Consent.objects.filter(person__in=people.values()).exists():
        return 0
    today = timezone.localdate()
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=["101", "461", "751"])}

    remanded = people["remanded"]
    consent_give(
        remanded,
        recipients=[orgs["101"]],
        categories=[DataCategory.CASE_FILES, DataCategory.HOUSING, DataCategory.FINANCES],
        purpose="Indhentning af sagsakter",
        given_on=today,
        given_how=GivenHow.ORAL,
        witness_name="Karin Kofoed",
        witness_role="Sagsbehandler, Københavns Fængsler",
        acting_user=krfo,
    )
    episode = Episode.objects.get(person=remanded, status=EpisodeStatus.OPEN)
    episode_decide_coordination(episode, coordinate=True, reason="Lang varetægt ventet", acting_user=krfo)

    expired = consent_give(
        people["overdue"],
        recipients=[orgs["101"]],
        categories=[DataCategory.CASE_FILES],
        purpose="Indhentning af sagsakter",
        given_on=today,
        given_how=GivenHow.ORAL,
        witness_name="Karin Kofoed",
        witness_role="Sagsbehandler, Københavns Fængsler",
        acting_user=krfo,
    )
    # Backdated: the demo needs one that has run out (consent_give refuses an expiry in the past).
    Consent.objects.filter(pk=expired.pk).update(
        given_on=today - timedelta(days=400), expires_on=today - timedelta(days=35)
    )

    transferred = people["transferred"]
    signed = consent_give(
        transferred,
        recipients=[orgs["461"]],
        categories=[DataCategory.HOUSING, DataCategory.EMPLOYMENT],
        purpose="Koordinering af handleplan",
        given_on=today - timedelta(days=6),
        given_how=GivenHow.SIGNED_FORM,
        signed_form=SimpleUploadedFile("samtykke.pdf", blank_form_pdf(transferred), content_type="application/pdf"),
        acting_user=leader,
    )
    consent_revoke(
        signed,
        revoked_on=today - timedelta(days=1),
        reason="Borgeren ønsker ikke længere, at oplysningerne deles med kommunen (sagt til kontaktpersonen).",
        acting_user=leader,
    )

    consent_require(
        people["serving"],
        recipient=orgs["751"],
        category=DataCategory.HEALTH,
        purpose="Koordinering af handleplan",
        acting_user=leader,
        override_reason="Akut risiko for selvskade; kommunens psykiatri skal vide det før løsladelsen.",
    )
    return 3
