"""The reference data loaders, registered by the apps that own the data (their AppConfig.ready), so that
`manage.py load_reference_data` (core) loads everything without importing the apps: municipalities and units
(organisations), the legal catalogue (legal), the public documents' titles (documents), ...

Every loader is idempotent and never overwrites what administrators have edited (ADR 0002).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceLoader:
    label: str  # what it loads, for the command's report, e.g. "municipalities"
    load: Callable[[], int]  # returns how many it loaded or checked
    order: int


_LOADERS: dict[str, ReferenceLoader] = {}


def register_reference_loader(label: str, load: Callable[[], int], *, order: int) -> None:
    _LOADERS[label] = ReferenceLoader(label, load, order)


def reference_loaders() -> list[ReferenceLoader]:
    return sorted(_LOADERS.values(), key=lambda loader: (loader.order, loader.label))


def load_all() -> dict[str, int]:
    """Run every loader in order (organisations before what refers to them); {label: count}."""
    return {loader.label: loader.load() for loader in reference_loaders()}
