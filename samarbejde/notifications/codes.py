"""The codes notices and answers use, apart from the models so that the registry can name them without importing
the models (which read the registry for a notice's rule)."""

from django.db import models


class NotificationKind(models.TextChoices):
    """What the recipient sees the notice as. Several rules may share a kind (admission.pension_udk and
    admission.pension_rent are both pension notices)."""

    BENEFITS_DECISION_REQUEST = "benefits_decision_request", "Anmodning om afgørelse om ydelser"
    ADMISSION_NOTICE = "admission_notice", "Meddelelse om indsættelse"
    CPR_REGISTER_NOTICE = "cpr_register_notice", "Meddelelse til folkeregisteret"
    PENSION_NOTICE = "pension_notice", "Meddelelse om pension"
    TRANSFER_NOTICE = "transfer_notice", "Meddelelse om overførsel"
    RELEASE_DATE_CHANGE_NOTICE = "release_date_change_notice", "Meddelelse om ændret løsladelsesdato"
    RELEASE_NOTICE = "release_notice", "Meddelelse om løsladelse"
    CASE_FILES_REQUEST = "case_files_request", "Anmodning om sagsakter"
    # --- action_plans ---
    ACTION_PLAN_DEADLINE = "action_plan_deadline", "Frist for handleplan"
    ACTION_PLAN_SHARED = "action_plan_shared", "Delt handleplan"
    ACTION_PLAN_CHANGED = "action_plan_changed", "Ændret handleplan"
    # --- end action_plans ---
    # --- pre_sentence ---
    INFORMATION_REQUEST = "information_request", "Anmodning om oplysninger til personundersøgelse"
    # --- consent ---
    CONSENT_REVOKED_NOTICE = "consent_revoked_notice", "Meddelelse om tilbagekaldt samtykke"


class DecisionCode(models.TextChoices):
    CONTINUED = "continued", "Fortsætter"
    STOPPED = "stopped", "Standset"
    REDUCED = "reduced", "Nedsat"
    RENT_COVERED = "rent_covered", "Husleje dækkes"
    NO_BENEFIT = "no_benefit", "Ingen ydelse"
    OTHER = "other", "Anden afgørelse"
