"""Users with memberships for tests: one place that knows where each role may be held."""

import factory
from django.contrib.auth import get_user_model

from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant

PASSWORD = "Korrekt-hest-batteri-42"

# Where each role is held in the tests (an organisation whose kind fits ROLE_ORG_KINDS).
ROLE_ORGANISATION = {
    Role.KRFO_CASE_WORKER: "krfo-koebenhavns-faengsler",
    Role.KRFO_MANAGER: "krfo-storstroem",
    Role.PROBATION_OFFICER: "krfo-kif-hovedstaden",
    Role.YOUTH_SUPERVISOR: "krfo-ungekriminalforsorgen",
    Role.MUNICIPAL_CASE_WORKER: "101",
    Role.MUNICIPAL_COORDINATOR: "751",
    Role.POLICE_OFFICER: "1470",
    Role.UDK_OFFICER: "udbetaling-danmark",
    Role.ADMINISTRATOR: "krfo-direktoratet",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.invalid")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, code: str | None = None, **kwargs):
    """A user holding `role` in its usual organisation (or `code`)."""
    user = UserFactory(**kwargs)
    organisation = Organisation.objects.get(code=code or ROLE_ORGANISATION[role])
    membership_grant(user, organisation=organisation, role=role)
    return user
