"""Demo § 808 personundersøgelser (pre_sentence) for `make run`, through the real services; idempotent.

KiF Hovedstaden (kif.tilsyn) has three investigations of people with no custody, all asking Københavns
Kommune (kbh.koordinator sees the requests in the inbox):
- pending: a request waiting for København's answer, due before the hearing;
- answered: København answered with a text and a PDF (the court report lists the file);
- closed: answered, and the investigation closed after the report went to the court.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class DemoInvestigation:
    cpr: str
    first_name: str
    last_name: str
    court: str
    hearing_in_days: int
    questions: str
    answer: str = ""
    closed: bool = False


DEMO_INVESTIGATIONS = {
    "pending": DemoInvestigation(
        "1407931234",
        "Emil",
        "Bruun",
        "Københavns Byret",
        21,
        "Har borgeren en bolig, og hvordan forsørger borgeren sig? Er der sociale indsatser i gang?",
    ),
    "answered": DemoInvestigation(
        "0905871367",
        "Nadia",
        "Sørensen",
        "Retten på Frederiksberg",
        14,
        "Oplys om borgerens misbrugsbehandling og beskæftigelse.",
        answer="Borgeren er i ambulant misbrugsbehandling siden august og i virksomhedspraktik 15 timer om ugen. "
        "Kommunens handleplan efter serviceloven § 141 er vedlagt.",
    ),
    "closed": DemoInvestigation(
        "2202951489",
        "Oliver",
        "Berg",
        "Retten i Glostrup",
        30,
        "Oplys om borgerens boligsituation.",
        answer="Borgeren bor i egen lejebolig; der er ingen huslejerestance.",
        closed=True,
    ),
}


def _pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>Københavns Kommune</h1><p>{text}</p>").write_pdf()


@transaction.atomic
def load_demo_pre_sentence() -> int:
    """Create the demo investigations (none when they exist). Returns how many were created."""
    from samarbejde.demo.actors import demo_actor
    from samarbejde.notifications.services import notification_answer
    from samarbejde.organisations.models import Organisation
    from samarbejde.people.models import Person
    from samarbejde.pre_sentence import services
    from samarbejde.pre_sentence.models import Investigation

    if Investigation.objects.filter(person__cpr__in=[d.cpr for d in DEMO_INVESTIGATIONS.values()]).exists():
        return 0
    kif = demo_actor("kif.tilsyn")
    kbh_coordinator = demo_actor("kbh.koordinator")
    koebenhavn = Organisation.objects.get(code="101")
    today = timezone.localdate()
    for key, demo in DEMO_INVESTIGATIONS.items():
        person = Person.objects.filter(cpr=demo.cpr).first()
        hearing = today + timedelta(days=demo.hearing_in_days)
        investigation = services.investigation_open(
            person=person,
            cpr=demo.cpr,
            first_name=demo.first_name,
            last_name=demo.last_name,
            home_municipality=koebenhavn,
            court=demo.court,
            hearing_date=hearing,
            acting_user=kif,
        )
        (notice,) = services.information_request_send(
            investigation,
            recipients=[koebenhavn],
            questions=demo.questions,
            basis=services.BASIS_PRE_SENTENCE,
            answer_due=services.default_answer_due(hearing, today),
            acting_user=kif,
        ).notifications
        if demo.answer:
            files = (
                [SimpleUploadedFile("handleplan-sel-141.pdf", _pdf(demo.answer), content_type="application/pdf")]
                if key == "answered"
                else []
            )
            notification_answer(notice, text=demo.answer, files=files, acting_user=kbh_coordinator)
        if demo.closed:
            services.investigation_close(investigation, note="Erklæringen er sendt til retten.", acting_user=kif)
    return len(DEMO_INVESTIGATIONS)
