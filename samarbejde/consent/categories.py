"""The data categories a consent (or a disclosure on a legal basis) covers: one vocabulary for every process.

The handleplan's areas (action_plans) use these keys for their areas, the case-files request asks for
"case_files", a § 808 information request for "pre_sentence_information". Data, not code: a new category is a
new row here (and its Danish label), never a new branch in a service.
"""

from django.db import models


class DataCategory(models.TextChoices):
    HOUSING = "housing", "Bolig"
    FINANCES = "finances", "Forsørgelse og økonomi"
    EMPLOYMENT = "employment", "Uddannelse og beskæftigelse"
    ADDICTION = "addiction", "Misbrugsbehandling"
    HEALTH = "health", "Fysisk og psykisk helbred"
    FAMILY = "family", "Familie, børn og netværk"
    LEISURE = "leisure", "Fritid"
    CRIMINAL_BEHAVIOUR = "criminal_behaviour", "Kriminel adfærd"
    CASE_FILES = "case_files", "Sagsakter fra kommune, KiF, misbrugscenter og psykiatri"
    PRE_SENTENCE_INFORMATION = "pre_sentence_information", "Oplysninger til personundersøgelse (§ 808)"
