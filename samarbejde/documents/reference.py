"""The titles on /dokumenter/ as shipped: the documents the seed page links to (kriminalforsorgen.dk "Samarbejde
med kommunerne", ../shared/seeds/000_84f4b0b186b42f88.txt), without content. Administrators upload the PDFs.

`load_public_documents()` is idempotent and never overwrites what administrators have edited: a title is only
created when its address (slug) is missing (ADR 0002). The texts are Danish source strings, marked for the
catalogue (gettext_noop) so that /dokumenter/ shows the seeded ones translated when English is chosen.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_noop as N_

from samarbejde.documents.models import PublicDocument, PublicDocumentCategory


@dataclass(frozen=True)
class SeedDocument:
    slug: str
    title: str
    description: str
    category: str
    availability: str


AT_KRFO = N_("Fås hos Kriminalforsorgen (kriminalforsorgen.dk).")

SEED_DOCUMENTS: tuple[SeedDocument, ...] = (
    SeedDocument(
        "guide-varetaegtsarrestanter",
        N_("Guide om myndighedssamarbejdet vedrørende varetægtsarrestanter"),
        N_("Kriminalforsorgens arbejdsgange og kontaktpunkter, når en borger er varetægtsfængslet."),
        PublicDocumentCategory.GUIDANCE,
        AT_KRFO,
    ),
    SeedDocument(
        "guide-afsonere",
        N_("Guide om myndighedssamarbejdet vedrørende afsonere"),
        N_("Samarbejdet med kommunen under afsoning og frem mod løsladelse."),
        PublicDocumentCategory.GUIDANCE,
        AT_KRFO,
    ),
    SeedDocument(
        "informationsmateriale-til-andre-myndigheder",
        N_("Informationsmateriale til andre myndigheder om Kriminalforsorgen"),
        N_("Kriminalforsorgens arbejdsområder og arbejdsprocesser."),
        PublicDocumentCategory.GUIDANCE,
        AT_KRFO,
    ),
    SeedDocument(
        "koereplan-for-god-loesladelse",
        N_("Køreplan for God Løsladelse"),
        N_("Udviklet af Socialstyrelsen (daværende Servicestyrelsen) og Kriminalforsorgen."),
        PublicDocumentCategory.GUIDANCE,
        AT_KRFO,
    ),
    SeedDocument(
        "analyse-af-samarbejdet-2016",
        N_("Analyse af samarbejdet mellem kommunerne og Kriminalforsorgen (2016)"),
        N_("Kriminalforsorgens analyse af samarbejdet."),
        PublicDocumentCategory.ANALYSIS,
        AT_KRFO,
    ),
    SeedDocument(
        "blanket-fritagelse-for-digital-post",
        N_("Blanket: fritagelse for Digital Post"),
        N_("Ansøgning om fritagelse for Digital Post for en indsat."),
        PublicDocumentCategory.FORM,
        N_("Dannes udfyldt i Samarbejde af Kriminalforsorgens sagsbehandler."),
    ),
    SeedDocument(
        "blanket-laeseadgang-for-paaroerende",
        N_("Blanket: læseadgang til Digital Post for en pårørende"),
        N_("Ansøgning om, at en pårørende kan læse den indsattes Digital Post."),
        PublicDocumentCategory.FORM,
        N_("Dannes udfyldt i Samarbejde af Kriminalforsorgens sagsbehandler."),
    ),
    SeedDocument(
        # Samarbejde cannot fill this one in (yet): the text says so instead of promising it.
        "blanket-kontaktoplysninger-foer-loesladelse",
        N_("Blanket: kontaktoplysninger til kommunen før løsladelse"),
        N_("Udleveres til den indsatte før løsladelsen (varetægt og afsoning)."),
        PublicDocumentCategory.FORM,
        N_(
            "Samarbejde kan endnu ikke danne denne blanket udfyldt. Kriminalforsorgen udleverer den til den "
            "indsatte; kommunens kontakter står på kommunens side i Samarbejde."
        ),
    ),
    SeedDocument(
        "kriminalforsorgens-kontaktpersoner-for-kommunerne",
        N_("Kontaktoplysninger til Kriminalforsorgens kontaktpersoner for kommunerne"),
        N_("Hvem i Kriminalforsorgen kommunerne kan kontakte."),
        PublicDocumentCategory.CONTACTS,
        N_("Vises på hver kommunes side i Samarbejde."),
    ),
)


@transaction.atomic
def load_public_documents() -> int:
    """Create the seeded titles that are missing (by slug); returns how many titles the seed has."""
    for order, seed in enumerate(SEED_DOCUMENTS, start=1):
        PublicDocument.objects.get_or_create(
            slug=seed.slug,
            defaults={
                "title": seed.title,
                "description": seed.description,
                "category": seed.category,
                "availability": seed.availability,
                "sort_order": order * 10,
            },
        )
    return len(SEED_DOCUMENTS)
