"""Pagination whose cost grows with the page, not with the table (issue 10).

Two tools, one per kind of list:

- `keyset_page`: the list is ordered by stored, indexed, non-null columns whose last one is unique (the
  primary key). A page is "the next N rows after this key", so page 1 and page 10,000 cost the same: an index
  range scan of N rows. No COUNT(*) and no OFFSET. The cursor in the URL (`?efter=` / `?foer=`) is the last or
  first row's sort key, signed (a tampered cursor gives the first page, never a 500). The key must never
  carry personal data: URLs do not (ADR 0010), so a list sorted by a person's name uses `CappedPaginator`.
- `CappedPaginator`: Django's paginator with the count capped (`COUNT(*)` over `LIMIT cap + 1`), for lists a
  user pages through by number: the cost of a page is at most the cap, whatever the table holds; beyond the
  cap the list says "mere end N" and asks for a narrower search.

Both give the template what includes/pagination.html needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from django.core import signing
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet

CURSOR_SALT = "samarbejde.core.pagination.keyset"
DEFAULT_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows: `count_is_capped` says the list has more than that.

    Pages past the cap are not offered (get_page clamps to the last counted page), so no request makes the
    database skip more than `cap` rows.
    """

    def __init__(self, object_list, per_page, *, cap: int = DEFAULT_COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _capped_count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            # COUNT over a LIMITed subquery: PostgreSQL stops after cap + 1 rows.
            return object_list.order_by()[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._capped_count, self.cap)

    @property
    def count_is_capped(self) -> bool:
        return self._capped_count > self.cap


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list, shaped like the parts of a Django Page the templates use."""

    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    is_keyset: bool = field(default=True, init=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _key_of(row, columns: list[str]) -> list:
    return [getattr(row, c) for c in columns]


def encode_cursor(values: list) -> str:
    return signing.dumps(json.loads(json.dumps(values, cls=DjangoJSONEncoder)), salt=CURSOR_SALT, compress=True)


def decode_cursor(token: str, queryset: QuerySet, columns: list[str]) -> list | None:
    """The key values in the cursor, each as its field's Python value; None when the cursor is not valid."""
    try:
        values = signing.loads(token, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(columns):
        return None
    model = queryset.model
    try:
        return [model._meta.get_field(c).to_python(v) for c, v in zip(columns, values, strict=True)]
    except Exception:  # a value of the wrong shape: treat like a bad signature
        return None


def _after(columns: list[str], descending: list[bool], values: list, *, forward: bool) -> Q:
    """Rows after `values` in the order (forward) or before them (backward), as an OR of prefixes:
    (a > va) | (a = va & b > vb) | ..., ANDed with the bound it implies on the first column (a >= va): the
    planner does not derive that from the OR, and without it an index scan in the list's order starts at the
    list's first row and filters its way to the cursor (cost grows with the page number)."""
    first_down = descending[0] if forward else not descending[0]
    condition = Q()
    for i, column in enumerate(columns):
        goes_down = descending[i] if forward else not descending[i]
        term = Q(**{f"{column}__{'lt' if goes_down else 'gt'}": values[i]})
        for j in range(i):
            term &= Q(**{columns[j]: values[j]})
        condition |= term
    return Q(**{f"{columns[0]}__{'lte' if first_down else 'gte'}": values[0]}) & condition


def keyset_page(
    queryset: QuerySet, ordering: list[str], *, after: str = "", before: str = "", per_page: int = 50
) -> KeysetPage:
    """The page after cursor `after` (or before cursor `before`; neither: the first page) of `queryset` in
    `ordering` (field names, "-" for descending; every field non-null, the last one unique). One query of
    per_page + 1 rows; an index on the ordering makes it an index range scan whatever the table holds."""
    columns = [o.lstrip("-") for o in ordering]
    descending = [o.startswith("-") for o in ordering]
    reversed_ordering = [c if d else f"-{c}" for c, d in zip(columns, descending, strict=True)]
    backward = bool(before) and not after
    token = before if backward else after
    values = decode_cursor(token, queryset, columns) if token else None
    qs = queryset
    if values is not None:
        qs = qs.filter(_after(columns, descending, values, forward=not backward))
    else:
        backward = False  # no (valid) cursor: the first page
    rows = list(qs.order_by(*(reversed_ordering if backward else ordering))[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backward:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = values is not None, more
    return KeysetPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=encode_cursor(_key_of(rows[-1], columns)) if rows and has_next else "",
        previous_cursor=encode_cursor(_key_of(rows[0], columns)) if rows and has_previous else "",
    )
