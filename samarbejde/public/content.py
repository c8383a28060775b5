"""The public information part as data: the seed page's procedures in short form. (Its documents are rows,
uploaded by administrators: documents.models.PublicDocument, seeded by documents.reference.)

Source: kriminalforsorgen.dk "Samarbejde med kommunerne" (../shared/seeds/000_84f4b0b186b42f88.txt).
The texts are Danish source strings, translated lazily (gettext_lazy) into the request's language when rendered.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Procedure:
    slug: str
    title: str
    summary: str
    points: tuple[str, ...]


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "indsaettelse",
        _("Ved fængsling eller indsættelse"),
        _(
            "Når en borger varetægtsfængsles eller indsættes i fængsel, får bopælskommunen, folkeregisteret og "
            "evt. Udbetaling Danmark besked fra Kriminalforsorgen."
        ),
        (
            _(
                "Kommunen underrettes, så den kan træffe afgørelse om kontanthjælp, uddannelseshjælp, revalidering, "
                "ledighedsydelse, fleksydelse eller sygedagpenge."
            ),
            _("Ved folke- og førtidspension underretter Kriminalforsorgen både kommunen og Udbetaling Danmark."),
            _(
                "Kriminalforsorgen vurderer ved indsættelsen, om handleplanen skal koordineres med kommunen, og kan "
                "bede om relevante sagsakter."
            ),
            _(
                "Kriminalforsorgen hjælper den indsatte med at søge fritagelse for Digital Post eller læseadgang for "
                "en pårørende."
            ),
        ),
    ),
    Procedure(
        "personundersoegelse",
        _("Personundersøgelser (retsplejelovens § 808)"),
        _("Før en dom laver Kriminalforsorgen ofte en personundersøgelse til brug for retten."),
        (_("Kommunen kan få en anmodning fra Kriminalforsorgen om at dele oplysninger om borgeren."),),
    ),
    Procedure(
        "loesladelse",
        _("Ved løsladelse"),
        _(
            "Kriminalforsorgen laver handleplaner for de fleste dømte og varetægtsarresterede klienter. "
            "Handleplanen er det bærende redskab i samarbejdet med kommunen."
        ),
        (
            _("Tag over hovedet og penge at leve for er de to vigtigste ting ved løsladelsen."),
            _("Samarbejdet mellem kommunen og Kriminalforsorgen tager afsæt i klientens handleplan."),
        ),
    ),
    Procedure(
        "varetaegt",
        _("Løsladelse fra varetægtsfængsling"),
        _(
            "En varetægtsfængslet kan løslades direkte fra retten eller fra arresthuset, hvor løsladelsen kan planlægges."
        ),
        (
            _("Kriminalforsorgen forsøger i videst muligt omfang at sikre akut hjælp til bolig, indkomst og misbrug."),
            _("Den indsatte får udleveret kontaktoplysninger til kommunen før løsladelsen."),
        ),
    ),
    Procedure(
        "afsoning",
        _("Løsladelse fra afsoning – God løsladelse"),
        _(
            "Kriminalforsorgen følger Køreplanen for God Løsladelse og tager initiativ til koordinering med "
            "bopælskommunen."
        ),
        (
            _("Den indsatte skal sikres passende ophold og et indkomstgrundlag."),
            _(
                "Der skal gerne være en plan for uddannelse eller beskæftigelse og evt. aftaler med misbrugscenter, "
                "familierådgivning eller andet relevant."
            ),
            _("Den indsatte får udleveret kontaktoplysninger til kommunen før løsladelsen."),
        ),
    ),
    Procedure(
        "exit",
        _("Exit – for tidligere rocker- og bandetilknyttede"),
        _("Alle politikredse har en lokal exit-enhed med politiet, Kriminalforsorgen og kommunen."),
        (_("Enheden koordinerer og følger op på de exit-forløb, den sætter i gang."),),
    ),
    Procedure(
        "ksp",
        _("KSP-samarbejdet"),
        _(
            "Kriminalforsorgen, de sociale myndigheder og politiet udveksler oplysninger hurtigt og smidigt om "
            "personer, der løslades."
        ),
        (
            _(
                "KiF har sekretariatsfunktionen; kommuner og politi kan kontakte KiF eller fængslet om klienter, "
                "hvor løsladelsen skal koordineres."
            ),
        ),
    ),
    Procedure(
        "unge",
        _("Ungekriminalforsorgen"),
        _(
            "Ungekriminalforsorgen samarbejder med kommunerne om børn og unge på 10-17 år med et forbedringsforløb "
            "og/eller en straksreaktion fra Ungdomskriminalitetsnævnet."
        ),
        (
            _(
                "Ungekriminalforsorgen fører tilsyn med, at barnet overholder forløbet, og at kommunen sætter "
                "foranstaltningerne i gang."
            ),
            _("Kommunen fører det personrettede tilsyn."),
        ),
    ),
)
