"""Reference data for tests: what `make run` loads (municipalities, other units, acts, public document titles)."""

from samarbejde.documents.reference import load_public_documents
from samarbejde.legal.reference import load_acts
from samarbejde.organisations.reference import load_municipalities, load_other_organisations


def load_reference_data() -> None:
    load_municipalities()
    load_other_organisations()
    load_acts()
    load_public_documents()
