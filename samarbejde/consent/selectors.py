"""Reads of consents. The contract other apps code against (action_plans, pre_sentence, custody's case-files
request): `consent_live_for` answers whether a live consent covers one disclosure."""

from __future__ import annotations


def consent_live_for(person, *, recipient, category: str, purpose: str = "", at=None):
    """The live consent (given, not expired, not revoked at `at`, default now) of `person` that covers
    disclosing `category` (a consent.categories.DataCategory value) to the organisation `recipient`, or None.

    Skeleton: no consent is recorded yet, so none is ever live (the consent app's models come next)."""
    return None
