"""Pagination whose cost grows with the page, not with the table (issue 10).

Two tools, one per kind of list:

- `keyset_page`: the list is ordered by stored, indexed, non-null columns whose last one is unique (the
  primary key). A page is "the next N rows after this key", so page 1 and page 10,000 cost the same: an index
  range scan of N rows. No COUNT(*) and no OFFSET. The cursor in the URL (`?efter=` / `?foer=`) is the last or
  first row's sort key, signed (a tampered cursor gives the first page, never a 500). The key must never
  carry personal data: URLs do not (ADR 0010), so a list sorted by a person's name uses `CappedPaginator`.
- `keyset_page_split`: the same over a union of parts of one queryset (e.g. one part per action searched for),
  when no single index serves the whole filter in the list's order but one does per part: each part is an
  index range scan of at most N + 1 rows, merged by the database; `capped_count` counts such a list up to a cap.
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
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
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
    # Set by a view that shows "N hændelser" (capped_count): never counted by the page itself.
    count: int | None = None
    count_is_capped: bool = False

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
    (a > va) | (a = va & b > vb) | ..., ANDed with the first column's bound (a >= va). PostgreSQL does not
    derive that bound from the OR by itself: without it the OR is only a filter, and the index scan starts at
    the top of the list and skips every row before the cursor (OFFSET again). With it, the bound is the
    index range condition and the scan starts at the cursor."""
    condition = Q()
    for i, column in enumerate(columns):
        goes_down = descending[i] if forward else not descending[i]
        term = Q(**{f"{column}__{'lt' if goes_down else 'gt'}": values[i]})
        for j in range(i):
            term &= Q(**{columns[j]: values[j]})
        condition |= term
    first_goes_down = descending[0] if forward else not descending[0]
    bound = Q(**{f"{columns[0]}__{'lte' if first_goes_down else 'gte'}": values[0]})
    return bound & condition if len(columns) > 1 else condition


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
    return _page(rows, columns, per_page=per_page, backward=backward, from_cursor=values is not None)


def _page(rows: list, columns: list[str], *, per_page: int, backward: bool, from_cursor: bool) -> KeysetPage:
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backward:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = from_cursor, more
    return KeysetPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=encode_cursor(_key_of(rows[-1], columns)) if rows and has_next else "",
        previous_cursor=encode_cursor(_key_of(rows[0], columns)) if rows and has_previous else "",
    )


def _part_condition(columns: list[str], descending: list[bool], values: list, fixed: dict, *, forward: bool):
    """The cursor's condition on one part whose leading key columns are fixed by the part's equality filters:
    None when the whole part lies before the cursor (skip it), Q() when it lies wholly after it, else the
    condition on the columns that vary within the part (whose first one is then a tight index bound).
    Fixed values are compared in Python: meant for codes (status, action), not for collated text."""
    k = 0
    while k < len(columns) and columns[k] in fixed:
        k += 1
    for i in range(k):
        part_value, cursor_value = fixed[columns[i]], values[i]
        if part_value == cursor_value:
            continue
        goes_down = descending[i] if forward else not descending[i]
        return Q() if (part_value < cursor_value) == goes_down else None
    if k == len(columns):
        return None  # the part is the cursor's own row (the key is unique): nothing after it
    return _after(columns[k:], descending[k:], values[k:], forward=forward)


def _union_sql(parts: list[QuerySet], select: list[str], limit: int) -> tuple[list[str], list]:
    """Each part as `SELECT * FROM (<part ORDER BY ... LIMIT n>)`: the form both PostgreSQL and SQLite accept
    in a UNION ALL (Django's own union() refuses a LIMIT per part on SQLite). A part that can match nothing
    is left out."""
    sqls, params = [], []
    for i, qs in enumerate(parts):
        limited = qs.values_list(*select)[:limit]
        try:
            sql, part_params = limited.query.get_compiler(using=limited.db).as_sql()
        except EmptyResultSet:
            continue
        # Django's own compiled SQL, its values still parameters: nothing from the request is in the text.
        sqls.append(f"SELECT * FROM ({sql}) AS _part{i}")  # noqa: S608
        params.extend(part_params)
    return sqls, params


def keyset_page_split(
    queryset: QuerySet,
    ordering: list[str],
    *,
    parts: list[dict],
    after: str = "",
    before: str = "",
    per_page: int = 50,
) -> KeysetPage:
    """keyset_page over the union of `parts` of `queryset`, each a dict of equality filters (one per action
    searched for, one per status listed). Used where an index serves each part in the list's order but none
    serves their OR (PostgreSQL's `action IN (...)` needs a sort of every matching row): each part is an index
    range scan of per_page + 1 rows and the database merges them. One query for one part; two for several
    (the merged keys, then their rows with what the queryset joins in). A part that fixes the leading key
    columns (status, for a list ordered by status first) gets the cursor condition on the rest only, so its
    scan starts at the cursor too."""
    columns = [o.lstrip("-") for o in ordering]
    descending = [o.startswith("-") for o in ordering]
    reversed_ordering = [c if d else f"-{c}" for c, d in zip(columns, descending, strict=True)]
    backward = bool(before) and not after
    token = before if backward else after
    values = decode_cursor(token, queryset, columns) if token else None
    if values is None:
        backward = False
    order = reversed_ordering if backward else ordering
    branches = []
    for part in parts or [{}]:
        qs = queryset.filter(**part)
        if values is not None:
            condition = _part_condition(columns, descending, values, part, forward=not backward)
            if condition is None:
                continue
            qs = qs.filter(condition)
        branches.append(qs.order_by(*order))
    limit = per_page + 1
    rows: list = []
    if len(branches) == 1:
        rows = list(branches[0][:limit])
    elif branches:
        sqls, params = _union_sql(branches, columns, limit)
        if sqls:
            directions = ", ".join(
                f"{i} {'DESC' if o.startswith('-') else 'ASC'}" for i, o in enumerate(order, start=1)
            )
            sql = f"{' UNION ALL '.join(sqls)} ORDER BY {directions} LIMIT {limit}"
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(sql, params)
                unique = queryset.model._meta.get_field(columns[-1])
                keys = [unique.to_python(row[-1]) for row in cursor.fetchall()]
            rows = list(queryset.filter(**{f"{columns[-1]}__in": keys}).order_by(*order)) if keys else []
    return _page(rows, columns, per_page=per_page, backward=backward, from_cursor=values is not None)


def capped_count(queryset: QuerySet, *, parts: list[dict] | None = None, cap: int = DEFAULT_COUNT_CAP):
    """(count, capped): the rows of `queryset` (the union of its `parts`, as keyset_page_split) counted up to
    `cap`; `capped` says there are more. One query that reads at most cap + 1 index entries in all."""
    branches = [queryset.filter(**part).order_by() for part in parts or [{}]]
    if len(branches) == 1:
        counted = branches[0][: cap + 1].count()
    else:
        sqls, params = _union_sql(branches, ["pk"], cap + 1)
        counted = 0
        if sqls:
            with connections[queryset.db].cursor() as cursor:
                # The outer LIMIT too: the database stops after cap + 1 rows in all, not per part.
                union = f"{' UNION ALL '.join(sqls)} LIMIT {cap + 1}"
                cursor.execute(f"SELECT COUNT(*) FROM ({union}) AS _counted", params)  # noqa: S608 (see _union_sql)
                counted = cursor.fetchone()[0]
    return min(counted, cap), counted > cap
