"""The courts a § 808 personundersøgelse is made for: the 24 district courts (byretter), as data.

Source: domstol.dk, "Byretterne" (the 24 district courts since the court reform of 2007). The appeal courts and
the Supreme Court do not order a personundersøgelse before a first-instance judgment; "Anden ret" is free text.
"""

DISTRICT_COURTS = (
    "Københavns Byret",
    "Retten på Frederiksberg",
    "Retten i Glostrup",
    "Retten i Lyngby",
    "Retten i Hillerød",
    "Retten i Helsingør",
    "Retten i Roskilde",
    "Retten i Holbæk",
    "Retten i Næstved",
    "Retten i Nykøbing Falster",
    "Retten på Bornholm",
    "Retten i Odense",
    "Retten i Svendborg",
    "Retten i Sønderborg",
    "Retten i Esbjerg",
    "Retten i Kolding",
    "Retten i Horsens",
    "Retten i Aarhus",
    "Retten i Randers",
    "Retten i Viborg",
    "Retten i Holstebro",
    "Retten i Herning",
    "Retten i Aalborg",
    "Retten i Hjørring",
)

COURT_CHOICES = [("", "Vælg retten"), *((name, name) for name in DISTRICT_COURTS)]
