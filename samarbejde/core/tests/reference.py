"""Reference data for tests: what `make run` loads (municipalities, other units, acts)."""

from samarbejde.legal.reference import load_acts
from samarbejde.organisations.reference import load_municipalities, load_other_organisations


def load_reference_data() -> None:
    load_municipalities()
    load_other_organisations()
    load_acts()
