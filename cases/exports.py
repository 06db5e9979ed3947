"""CSV and XLSX exports of a search result, for Swedish Excel.

Format (docs/domain.md): UTF-8 with BOM, ``;`` delimiter, CRLF, RFC 4180 quoting, ISO dates,
Swedish headers; cells starting with ``= + - @``, TAB or CR get a leading ``'`` so Excel
never runs them as formulas. Rows are fetched in batches: the number of queries grows with
batches, not with rows, and memory stays flat.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from portal.db_router import read_connection as connection

from .models import CaseStatus, DocumentKind, public_title

BATCH_SIZE = 2000
EXPORT_LIMIT = 200_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a cell Excel would treat as a formula with an apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Context:
    """What formatters need besides the row: the site's address and the choice labels."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.case_path = _case_path_function()
        self.kinds = dict(DocumentKind.choices)
        self.statuses = dict(CaseStatus.choices)


def _value(context, value):
    return value


@dataclass(frozen=True)
class Column:
    """One export column, declared once: its header, the SQL expressions it reads (over the
    aliases of the export's FROM clause) and the formatter that makes the cell from them."""

    header: str
    sql: tuple[str, ...]
    format: Callable[..., object] = _value


def _public_title(context, title, protected_title, protected):
    return public_title(title, protected_title, protected)


def _kind(context, kind):
    return context.kinds.get(kind, kind)


def _status(context, status):
    return context.statuses.get(status, status)


def _section(context, section):
    return f"§ {section}" if section is not None else ""


def _text(context, value):
    return value or ""


def _link(context, board_slug, dnr_key):
    return context.base_url + context.case_path(board_slug, dnr_key)


# The case's first decision: its meeting and paragraph.
_FIRST_DECISION = """
LEFT JOIN LATERAL (
    SELECT x.section, m.date AS meeting_date
    FROM cases_decision x LEFT JOIN cases_meeting m ON m.id = x.meeting_id
    WHERE x.case_id = c.id ORDER BY x.decided_on, x.section LIMIT 1
) decision ON true
"""

# The document export: one row per handling, with the case's first decision and the
# handling's references (each number once, in the order the text has them).
DOCUMENT_COLUMNS: tuple[Column, ...] = (
    Column("Diarienummer", ("c.dnr_key",)),
    Column("Nämnd", ("b.name",)),
    Column("Rubrik", ("d.title", "d.public_title", "d.title_protected"), _public_title),
    Column("Handlingstyp", ("d.kind",), _kind),
    Column("Datum", ("d.document_date",)),
    Column("Status", ("c.status",), _status),
    Column("Handläggare", ("coalesce(nullif(d.officer, ''), c.officer)",)),
    Column("Sammanträde", ("coalesce(d.meeting_date, decision.meeting_date)",)),
    Column("Paragraf", ("decision.section",), _section),
    Column(
        "Hänvisningar",
        (
            "(SELECT string_agg(r.display, '|' ORDER BY r.first, r.display)"
            " FROM (SELECT display, min(start) AS first FROM cases_reference"
            " WHERE source_id = d.id GROUP BY display) r)",
        ),
        _text,
    ),
    Column("Länk", ("b.slug", "c.dnr_key"), _link),
)
_DOCUMENT_FROM = f"""
FROM cases_document d
JOIN cases_case c ON c.id = d.case_id
JOIN cases_board b ON b.id = c.board_id{_FIRST_DECISION}WHERE d.id = ANY(%s)
"""

# The case export (the Ärenden tab): one row per case, also a case without documents, with
# how many public documents it has.
CASE_EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("Diarienummer", ("c.dnr_key",)),
    Column("Nämnd", ("b.name",)),
    Column("Ärendemening", ("c.title", "c.public_title", "c.title_protected"), _public_title),
    Column("Status", ("c.status",), _status),
    Column("Registrerat", ("c.registered_on",)),
    Column("Handläggare", ("c.officer",)),
    Column("Sammanträde", ("decision.meeting_date",)),
    Column("Paragraf", ("decision.section",), _section),
    Column(
        "Handlingar",
        ("(SELECT count(*) FROM cases_searchentry e WHERE e.case_id = c.id AND e.public)",),
    ),
    Column("Länk", ("b.slug", "c.dnr_key"), _link),
)
_CASE_FROM = f"""
FROM cases_case c
JOIN cases_board b ON b.id = c.board_id{_FIRST_DECISION}WHERE c.id = ANY(%s)
"""

COLUMNS = [column.header for column in DOCUMENT_COLUMNS]
CASE_COLUMNS = [column.header for column in CASE_EXPORT_COLUMNS]


def _select(columns: tuple[Column, ...], id_column: str, from_sql: str) -> str:
    expressions = [expression for column in columns for expression in column.sql]
    return f"SELECT {id_column}, {', '.join(expressions)}{from_sql}"


_DOCUMENT_SQL = _select(DOCUMENT_COLUMNS, "d.id", _DOCUMENT_FROM)
_CASE_SQL = _select(CASE_EXPORT_COLUMNS, "c.id", _CASE_FROM)


def _export(
    ids: Iterable[int], columns: tuple[Column, ...], sql: str, *, base_url: str
) -> Iterator[list]:
    """Rows for ``ids`` in the given order, one query per batch, each cell made by its
    column's formatter from that column's slice of the selected values."""
    context = _Context(base_url)
    slices = []
    start = 0
    for column in columns:
        slices.append((column.format, start, start + len(column.sql)))
        start += len(column.sql)
    for batch in _batches(ids, BATCH_SIZE):
        with connection.cursor() as cursor:
            cursor.execute(sql, [batch])
            rows = {row[0]: row[1:] for row in cursor.fetchall()}
        for pk in batch:
            if pk not in rows:
                continue
            values = rows[pk]
            yield [fmt(context, *values[a:b]) for fmt, a, b in slices]


def export_rows(ids: Iterable[int], *, base_url: str) -> Iterator[list]:
    """One row per document id, in the given order, with typed values (dates as dates).

    One query per batch reads only the columns a row shows (never a document's text: a
    meeting pack's report runs to 150,000 characters)."""
    return _export(ids, DOCUMENT_COLUMNS, _DOCUMENT_SQL, base_url=base_url)


def case_export_rows(ids: Iterable[int], *, base_url: str) -> Iterator[list]:
    """One row per case id, in the given order. One query per batch."""
    return _export(ids, CASE_EXPORT_COLUMNS, _CASE_SQL, base_url=base_url)


def _case_path_function():
    """Case.get_absolute_url without a reverse() per row (a sixth of an export's time): the
    route reversed once with markers, the board's slug and the quoted dnr put in their place
    as reverse() quotes them."""
    route = reverse("cases:board-case-detail", args=["board-slug", "DNR"])
    head, tail = route.split("board-slug")
    middle, end = tail.split("DNR")

    def case_path(board_slug: str, dnr_key: str) -> str:
        return f"{head}{board_slug}{middle}{quote(dnr_key, safe=_REVERSE_SAFE)}{end}"

    return case_path


_REVERSE_SAFE = "!$&'()*+,;=/~:@"  # django.urls.resolvers: RFC 3986 sub-delims + "/~:@"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_stream(
    rows: Iterable[list], limited: "Limited | None" = None, *, columns: list[str] = COLUMNS
) -> Iterator[bytes]:
    """The CSV file as byte chunks: BOM and header first, so the first byte goes out at once.
    When ``limited`` cut the result off, the last line says so."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    yield ("\ufeff" + writer.writerow(columns)).encode("utf-8")
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if limited is not None and limited.exceeded:
        buffer.append(writer.writerow([limit_message(limited.limit)]))
    if buffer:
        yield "".join(buffer).encode("utf-8")


class Limited:
    """The first ``limit`` ids of a result; ``exceeded`` says afterwards whether there were
    more. Counting a large result before sending it would cost seconds (every match read)
    before the first byte, so the limit is found while streaming."""

    def __init__(self, ids: Iterable[int], limit: int):
        self._ids = ids
        self.limit = limit
        self.exceeded = False

    def __iter__(self) -> Iterator[int]:
        for number, pk in enumerate(self._ids):
            if number == self.limit:
                self.exceeded = True
                return
            yield pk


def limit_message(limit: int) -> str:
    return (
        f"Exporten slutar här: resultatet har fler än {limit:_} rader, vilket är gränsen för "
        "en export. Avgränsa sökningen, till exempel med nämnd eller datum."
    ).replace("_", "\u00a0")


def xlsx_file(
    rows: Iterable[list],
    *,
    columns: list[str] = COLUMNS,
    sheet_title: str = "Handlingar",
    parameters: list[tuple[str, str]] | None = None,
):
    """An XLSX workbook in a temporary file (cases/xlsx.py): dnr as text cells (Excel
    never turns them into dates), dates as date cells, links as hyperlinks, and the search
    on a sheet of its own."""
    from .xlsx import workbook_file

    return workbook_file(
        rows,
        columns=columns,
        sheet_title=sheet_title,
        parameters=parameters or [("Exporterad", datetime.date.today().isoformat())],
    )


def search_parameters(*, query: str, filters, sort: str, selection: str, url: str) -> list:
    """What an export holds, for its sheet "Sökning": the search, the filters, the order,
    when it was made and the address of the search page."""
    params = [
        ("Sökning", query or "(inga sökord)"),
        ("Urval", selection),
        ("Nämnd", filters.board.name if filters.board else "Alla nämnder"),
        ("Handlingstyp", DocumentKind(filters.kind).label if filters.kind else "Alla typer"),
        ("Ärendets status", CaseStatus(filters.status).label if filters.status else "Alla"),
        ("Från datum", filters.date_from.isoformat() if filters.date_from else ""),
        ("Till datum", filters.date_to.isoformat() if filters.date_to else ""),
        ("Sortering", sort),
        ("Exporterad", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("Adress", url),
    ]
    return params
