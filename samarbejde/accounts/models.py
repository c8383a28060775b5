from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person at work. What they may do comes from their memberships (organisation + role).

    `active_membership` is set per request by CurrentMembershipMiddleware (and by commands and API
    authentication); it is not stored on the user.
    """

    title = models.CharField("stillingsbetegnelse", max_length=120, blank=True)
    # An organisation's API service user (api.services.service_membership_for): acts for a machine, so it is
    # never offered as a colleague to assign work to, and never logs in.
    is_service_account = models.BooleanField("servicebruger (API)", default=False)
    phone = models.CharField("telefon", max_length=40, blank=True)

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
