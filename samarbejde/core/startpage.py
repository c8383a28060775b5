"""The start page's building blocks: a Section, and the registry each app adds its sections to.

Each app registers, in its AppConfig.ready, functions that build the sections it owns for the current user's
membership (or return None when the section is not for them): core knows none of the apps above it, and a new
module adds its sections without editing core. The texts are Danish source strings (ADR 0005), translated when
the page is built, in the request's language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)
    empty_text: str = field(default_factory=lambda: _("Intet venter lige nu."))
    link_url: str = ""
    link_text: str = ""
    count: int | None = None
    summary: str = ""


@dataclass(frozen=True)
class _Provider:
    key: str
    order: int
    build: Callable  # (user, membership) -> Section | list[Section] | None


_PROVIDERS: dict[str, _Provider] = {}


def register_section(key: str, build: Callable, *, order: int) -> None:
    """`build(user, membership)` returns the section(s) for that membership, or None. Lower `order` first."""
    _PROVIDERS[key] = _Provider(key, order, build)


def sections_for(user, membership) -> list[Section]:
    sections: list[Section] = []
    for provider in sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key)):
        built = provider.build(user, membership)
        if built is None:
            continue
        sections.extend(built if isinstance(built, list) else [built])
    return sections
