"""The public information part as data: the seed page's procedures in short form, and its documents.

Source: kriminalforsorgen.dk "Samarbejde med kommunerne" (../shared/seeds/000_84f4b0b186b42f88.txt).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Procedure:
    slug: str
    title: str
    summary: str
    points: tuple[str, ...]


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "indsaettelse",
        "Ved fængsling eller indsættelse",
        "Når en borger varetægtsfængsles eller indsættes i fængsel, får bopælskommunen, folkeregisteret og "
        "evt. Udbetaling Danmark besked fra Kriminalforsorgen.",
        (
            "Kommunen underrettes, så den kan træffe afgørelse om kontanthjælp, uddannelseshjælp, revalidering, "
            "ledighedsydelse, fleksydelse eller sygedagpenge.",
            "Ved folke- og førtidspension underretter Kriminalforsorgen både kommunen og Udbetaling Danmark.",
            "Kriminalforsorgen vurderer ved indsættelsen, om handleplanen skal koordineres med kommunen, og kan "
            "bede om relevante sagsakter.",
            "Kriminalforsorgen hjælper den indsatte med at søge fritagelse for Digital Post eller læseadgang for "
            "en pårørende.",
        ),
    ),
    Procedure(
        "personundersoegelse",
        "Personundersøgelser (retsplejelovens § 808)",
        "Før en dom laver Kriminalforsorgen ofte en personundersøgelse til brug for retten.",
        ("Kommunen kan få en anmodning fra Kriminalforsorgen om at dele oplysninger om borgeren.",),
    ),
    Procedure(
        "loesladelse",
        "Ved løsladelse",
        "Kriminalforsorgen laver handleplaner for de fleste dømte og varetægtsarresterede klienter. "
        "Handleplanen er det bærende redskab i samarbejdet med kommunen.",
        (
            "Tag over hovedet og penge at leve for er de to vigtigste ting ved løsladelsen.",
            "Samarbejdet mellem kommunen og Kriminalforsorgen tager afsæt i klientens handleplan.",
        ),
    ),
    Procedure(
        "varetaegt",
        "Løsladelse fra varetægtsfængsling",
        "En varetægtsfængslet kan løslades direkte fra retten eller fra arresthuset, hvor løsladelsen kan planlægges.",
        (
            "Kriminalforsorgen forsøger i videst muligt omfang at sikre akut hjælp til bolig, indkomst og misbrug.",
            "Den indsatte får udleveret kontaktoplysninger til kommunen før løsladelsen.",
        ),
    ),
    Procedure(
        "afsoning",
        "Løsladelse fra afsoning – God løsladelse",
        "Kriminalforsorgen følger Køreplanen for God Løsladelse og tager initiativ til koordinering med "
        "bopælskommunen.",
        (
            "Den indsatte skal sikres passende ophold og et indkomstgrundlag.",
            "Der skal gerne være en plan for uddannelse eller beskæftigelse og evt. aftaler med misbrugscenter, "
            "familierådgivning eller andet relevant.",
            "Den indsatte får udleveret kontaktoplysninger til kommunen før løsladelsen.",
        ),
    ),
    Procedure(
        "exit",
        "Exit – for tidligere rocker- og bandetilknyttede",
        "Alle politikredse har en lokal exit-enhed med politiet, Kriminalforsorgen og kommunen.",
        ("Enheden koordinerer og følger op på de exit-forløb, den sætter i gang.",),
    ),
    Procedure(
        "ksp",
        "KSP-samarbejdet",
        "Kriminalforsorgen, de sociale myndigheder og politiet udveksler oplysninger hurtigt og smidigt om "
        "personer, der løslades.",
        (
            "KiF har sekretariatsfunktionen; kommuner og politi kan kontakte KiF eller fængslet om klienter, "
            "hvor løsladelsen skal koordineres.",
        ),
    ),
    Procedure(
        "unge",
        "Ungekriminalforsorgen",
        "Ungekriminalforsorgen samarbejder med kommunerne om børn og unge på 10-17 år med et forbedringsforløb "
        "og/eller en straksreaktion fra Ungdomskriminalitetsnævnet.",
        (
            "Ungekriminalforsorgen fører tilsyn med, at barnet overholder forløbet, og at kommunen sætter "
            "foranstaltningerne i gang.",
            "Kommunen fører det personrettede tilsyn.",
        ),
    ),
)


@dataclass(frozen=True)
class Document:
    title: str
    description: str
    category: str
    availability: str


DOCUMENTS: tuple[Document, ...] = (
    Document(
        "Guide om myndighedssamarbejdet vedrørende varetægtsarrestanter",
        "Kriminalforsorgens arbejdsgange og kontaktpunkter, når en borger er varetægtsfængslet.",
        "Vejledninger",
        "Fås hos Kriminalforsorgen (kriminalforsorgen.dk).",
    ),
    Document(
        "Guide om myndighedssamarbejdet vedrørende afsonere",
        "Samarbejdet med kommunen under afsoning og frem mod løsladelse.",
        "Vejledninger",
        "Fås hos Kriminalforsorgen (kriminalforsorgen.dk).",
    ),
    Document(
        "Informationsmateriale til andre myndigheder om Kriminalforsorgen",
        "Kriminalforsorgens arbejdsområder og arbejdsprocesser.",
        "Vejledninger",
        "Fås hos Kriminalforsorgen (kriminalforsorgen.dk).",
    ),
    Document(
        "Køreplan for God Løsladelse",
        "Udviklet af Socialstyrelsen (daværende Servicestyrelsen) og Kriminalforsorgen.",
        "Vejledninger",
        "Fås hos Kriminalforsorgen (kriminalforsorgen.dk).",
    ),
    Document(
        "Analyse af samarbejdet mellem kommunerne og Kriminalforsorgen (2016)",
        "Kriminalforsorgens analyse af samarbejdet.",
        "Analyser",
        "Fås hos Kriminalforsorgen (kriminalforsorgen.dk).",
    ),
    Document(
        "Blanket: fritagelse for Digital Post",
        "Ansøgning om fritagelse for Digital Post for en indsat.",
        "Blanketter",
        "Dannes udfyldt i Samarbejde af Kriminalforsorgens sagsbehandler.",
    ),
    Document(
        "Blanket: læseadgang til Digital Post for en pårørende",
        "Ansøgning om, at en pårørende kan læse den indsattes Digital Post.",
        "Blanketter",
        "Dannes udfyldt i Samarbejde af Kriminalforsorgens sagsbehandler.",
    ),
    Document(
        "Blanket: kontaktoplysninger til kommunen før løsladelse",
        "Udleveres til den indsatte før løsladelsen (varetægt og afsoning).",
        "Blanketter",
        "Dannes udfyldt i Samarbejde af Kriminalforsorgens sagsbehandler.",
    ),
    Document(
        "Kontaktoplysninger til Kriminalforsorgens kontaktpersoner for kommunerne",
        "Hvem i Kriminalforsorgen kommunerne kan kontakte.",
        "Kontakter",
        "Vises på hver kommunes side i Samarbejde.",
    ),
)
