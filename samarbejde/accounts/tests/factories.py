"""Users with memberships for the accounts tests (and the apps that import them from here).

The factories themselves live in samarbejde.organisations.tests.factories; `PASSWORD` is the password every
`UserFactory` user logs in with.
"""

from samarbejde.organisations.tests.factories import (
    ROLE_ORGANISATION,
    TEST_PASSWORD,
    UserFactory,
    user_with_role,
)

PASSWORD = TEST_PASSWORD

__all__ = ["PASSWORD", "ROLE_ORGANISATION", "UserFactory", "user_with_role"]
