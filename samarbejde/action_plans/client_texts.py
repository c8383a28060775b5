"""The plain-language version of the handleplan for the client: every fixed text per language code, as data.

A new language is a new entry here (and the area names and statuses in it), nothing else. The plan's own
content (assessments, goals, actions) is shown as written.
"""

CLIENT_TEXTS: dict[str, dict] = {
    "da": {
        "language_name": "Dansk",
        "title": "Din handleplan",
        "intro": (
            "Det her er din plan for tiden i Kriminalforsorgen og for tiden efter. Planen siger, hvad du vil "
            "opnå, hvad der skal ske, og hvem der gør hvad. Spørg din kontaktperson, hvis der er noget, du ikke "
            "forstår."
        ),
        "responsible": "Din kontaktperson for planen",
        "none": "Ikke udpeget endnu",
        "goals": "Det vil du opnå",
        "actions": "Det skal ske",
        "who": "Hvem",
        "when": "Senest",
        "status": "Hvor langt",
        "no_actions": "Der er ikke aftalt noget endnu.",
        "shared": "Dette område deles med din kommune, så kommunen kan hjælpe.",
        "pdf": "Hent planen som PDF til udskrift",
        "printed": "Udskrevet",
        "areas": {
            "housing": "Bolig",
            "finances": "Penge og forsørgelse",
            "employment": "Skole og arbejde",
            "addiction": "Behandling for misbrug",
            "health": "Helbred",
            "family": "Familie, børn og venner",
            "leisure": "Fritid",
            "criminal_behaviour": "At holde dig fra kriminalitet",
        },
        "statuses": {
            "not_started": "Ikke begyndt",
            "in_progress": "I gang",
            "done": "Færdig",
            "declined": "Sagt nej til",
        },
        "client": "Dig selv",
    },
    "en": {
        "language_name": "English",
        "title": "Your action plan",
        "intro": (
            "This is your plan for your time with the Prison and Probation Service and for the time after. The "
            "plan says what you want to achieve, what will happen, and who does what. Ask your contact person "
            "if there is something you do not understand."
        ),
        "responsible": "Your contact person for the plan",
        "none": "Not appointed yet",
        "goals": "What you want to achieve",
        "actions": "What will happen",
        "who": "Who",
        "when": "By",
        "status": "How far",
        "no_actions": "Nothing has been agreed yet.",
        "shared": "This part is shared with your municipality, so that it can help you.",
        "pdf": "Download the plan as a PDF to print",
        "printed": "Printed",
        "areas": {
            "housing": "Housing",
            "finances": "Money and income",
            "employment": "School and work",
            "addiction": "Treatment for addiction",
            "health": "Health",
            "family": "Family, children and friends",
            "leisure": "Free time",
            "criminal_behaviour": "Staying away from crime",
        },
        "statuses": {
            "not_started": "Not started",
            "in_progress": "Going on",
            "done": "Done",
            "declined": "Said no to",
        },
        "client": "You",
    },
}


def client_texts(language: str) -> dict | None:
    return CLIENT_TEXTS.get(language)


def client_languages() -> list[tuple[str, str]]:
    return [(code, texts["language_name"]) for code, texts in CLIENT_TEXTS.items()]
