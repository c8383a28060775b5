"""Folding Danish names for search: case, æ/ø/å and their usual spellings without them.

People type "kobenhavn", "KØBENHAVN", "koebenhavn", "århus" or "aeroe". Both sides are folded: lower case,
æ -> ae, ø -> oe, å -> aa, other accents dropped (é -> e), hyphens and runs of spaces as one space. A name also
matches with ø written o and å written a ("kobenhavn", "tarnby"). The query is folded once; a name has a
few spellings (at most two per ø/å in it), and the query matches when it is part of any of them.
"""

import functools
import itertools
import re
import unicodedata

# Always one way: æ has no common one-letter spelling.
_FIXED = {"æ": "ae"}
# Both spellings count on the name's side.
_CHOICES = {"ø": ("oe", "o"), "å": ("aa", "a")}
_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")
_MAX_CHOICES = 6  # 2**6 spellings at most; Danish municipality names have one or two


def _base(text: str) -> str:
    """Lower case, æ folded, separators as one space; ø and å kept for the caller to spell."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = "".join(_FIXED.get(ch, ch) for ch in text)
    text = _SEPARATORS.sub(" ", text).strip()
    # Other accents: decompose, drop the combining marks, but keep ø and å (ø has no decomposition;
    # å decomposes to a + ring, so it is protected around the step).
    protected = text.replace("å", "\x00")
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", protected) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("\x00", "å"))


def fold(text: str) -> str:
    """The one folded form of a search query: 'Ærø' -> 'aeroe', 'KØBENHAVN' -> 'koebenhavn'."""
    return "".join(_CHOICES[ch][0] if ch in _CHOICES else ch for ch in _base(text))


@functools.lru_cache(maxsize=1024)
def spellings(name: str) -> frozenset[str]:
    """Every folded spelling of a name: 'København' -> {'koebenhavn', 'kobenhavn'}."""
    base = _base(name)
    positions = [i for i, ch in enumerate(base) if ch in _CHOICES][:_MAX_CHOICES]
    if not positions:
        return frozenset({base})
    results = set()
    for picks in itertools.product(*(_CHOICES[base[i]] for i in positions)):
        chars = list(base)
        for i, pick in zip(positions, picks, strict=True):
            chars[i] = pick
        results.add(fold("".join(chars)))  # fold again: characters beyond the cap get their long form
    return frozenset(results)


def matches(folded_query: str, name: str) -> bool:
    """Whether a query, folded with fold(), is part of any spelling of the name."""
    return any(folded_query in spelling for spelling in spellings(name))
