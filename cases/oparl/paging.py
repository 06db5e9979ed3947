"""Keyset paging over one or more sources in id order (OParl 1.1, 2.5: a stable order, a
``links.next`` on every page but the last).

A page asks each source for at most ``limit + 1`` rows after the cursor, so a page costs the
same on page 1 and page 10,000; ``links.prev`` walks back at most ``limit + 1`` ids.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from .params import ApiError, Cursor, ListParams
from .queries import Source

_LOOKUPS = {
    "created_since": "oparl_created__gte",
    "created_until": "oparl_created__lte",
    "modified_since": "oparl_modified__gte",
    "modified_until": "oparl_modified__lte",
}


@dataclass
class Page:
    # (source, row, visible) in list order
    rows: list[tuple[Source, object, bool]] = field(default_factory=list)
    next_cursor: Cursor | None = None
    prev_cursor: Cursor | None = None
    has_prev: bool = False


def filtered(source: Source, params: ListParams) -> QuerySet:
    """The source's rows the request asks for: public ones, and with ``modified_since`` the
    deleted main objects too (sub-objects are simply left out when deleted)."""
    queryset = source.queryset
    for name, moment in params.dates:
        queryset = queryset.filter(**{_LOOKUPS[name]: moment})
        if name == "modified_since" and source.changed_since is not None:
            queryset = _narrowed(queryset, source.changed_since(moment))
    if params.with_deleted and not source.subobject:
        return queryset
    return queryset.filter(source.visible)


# A sync since a recent moment matches few rows, all of them recent, i.e. at the end of the id
# order: walking the ids from the start to find them read the whole table (1.4 s for the
# papers of the last months at 1M documents). When the indexed candidates are few, the page
# is taken from them instead.
SYNC_CANDIDATES = 2000


def _narrowed(queryset: QuerySet, candidates: tuple[QuerySet, ...]) -> QuerySet:
    ids = set()
    for candidate in candidates:
        found = [row["pk"] for row in candidate[: SYNC_CANDIDATES + 1]]
        if len(found) > SYNC_CANDIDATES:
            return queryset  # many changes: the id order finds a page quickly
        ids.update(found)
    return queryset.filter(pk__in=sorted(ids))


def _as_flag(source: Source) -> ExpressionWrapper:
    return ExpressionWrapper(source.visible, output_field=BooleanField())


def fetch_page(sources: tuple[Source, ...], params: ListParams) -> Page:
    start = _start_index(sources, params.after)
    page = Page()
    for index in range(start, len(sources)):
        source = sources[index]
        queryset = filtered(source, params)
        if params.after is not None and index == start:
            queryset = queryset.filter(pk__gt=params.after.pk)
        need = params.limit - len(page.rows)
        if params.with_deleted and not source.subobject:
            queryset = queryset.annotate(oparl_is_visible=_as_flag(source))
        rows = list(queryset.order_by("pk")[: need + 1])
        page.rows += [(source, row, _is_visible(source, row)) for row in rows[:need]]
        if len(rows) > need or (
            len(page.rows) == params.limit and _any_after(sources, index, params)
        ):
            last_source, last_row, _ = page.rows[-1]
            page.next_cursor = Cursor(last_source.prefix, last_row.pk)
            break
    if params.after is not None:
        page.has_prev = True
        page.prev_cursor = _prev_cursor(sources, start, params)
    return page


def _is_visible(source: Source, row) -> bool:
    return getattr(row, "oparl_is_visible", True)


def _start_index(sources: tuple[Source, ...], after: Cursor | None) -> int:
    if after is None:
        return 0
    for index, source in enumerate(sources):
        if source.prefix == after.prefix:
            return index
    raise ApiError(400, "after ska vara en adress ur listans länkar (links.next).", str(after))


def _any_after(sources: tuple[Source, ...], index: int, params: ListParams) -> bool:
    return any(filtered(source, params).exists() for source in sources[index + 1 :])


def _prev_cursor(sources: tuple[Source, ...], start: int, params: ListParams) -> Cursor | None:
    """The cursor of the page before: the row ``limit + 1`` places back from the cursor
    (inclusive); None when the previous page is the first."""
    remaining = params.limit
    for index in range(start, -1, -1):
        source = sources[index]
        queryset = filtered(source, params)
        if index == start:
            queryset = queryset.filter(pk__lte=params.after.pk)
        ids = list(queryset.order_by("-pk").values_list("pk", flat=True)[: remaining + 1])
        if len(ids) > remaining:
            return Cursor(source.prefix, ids[remaining])
        remaining -= len(ids)
    return None
