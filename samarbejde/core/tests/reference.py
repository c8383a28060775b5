"""Reference data for tests: what `make run` loads (every registered loader: municipalities, other units, acts,
public document titles)."""

from samarbejde.core.reference import load_all


def load_reference_data() -> None:
    load_all()
