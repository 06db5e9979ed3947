"""CSV and XLSX exports of a search result, for Swedish Excel.

Format (docs/domain.md): UTF-8 with BOM, ``;`` delimiter, CRLF, RFC 4180 quoting, ISO dates,
Swedish headers; cells starting with ``= + - @``, TAB or CR get a leading ``'`` so Excel
never runs them as formulas. Rows are fetched in batches: the number of queries grows with
batches, not with rows, and memory stays flat.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from portal.db_router import read_connection as connection

from .models import CaseStatus, DocumentKind, public_title

COLUMNS = [
    "Diarienummer",
    "Nämnd",
    "Rubrik",
    "Handlingstyp",
    "Datum",
    "Status",
    "Handläggare",
    "Sammanträde",
    "Paragraf",
    "Hänvisningar",
    "Länk",
]
# The case export (the Ärenden tab): one row per case, also a case without documents.
CASE_COLUMNS = [
    "Diarienummer",
    "Nämnd",
    "Ärendemening",
    "Status",
    "Registrerat",
    "Handläggare",
    "Sammanträde",
    "Paragraf",
    "Handlingar",
    "Länk",
]
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


def export_rows(ids: Iterable[int], *, base_url: str) -> Iterator[list]:
    """One row per document id, in the given order, with typed values (dates as dates).

    One query per batch reads only the columns a row shows (never a document's text: a
    meeting pack's report runs to 150,000 characters), with the case's first decision and
    the document's references (each number once, in the order the text has them)."""
    case_path = _case_path_function()
    kinds = dict(DocumentKind.choices)
    statuses = dict(CaseStatus.choices)
    for batch in _batches(ids, BATCH_SIZE):
        with connection.cursor() as cursor:
            cursor.execute(_ROWS_SQL, [batch])
            rows = {row[0]: row[1:] for row in cursor.fetchall()}
        for pk in batch:
            if pk not in rows:
                continue
            (dnr_key, board, title, protected_title, protected, kind, date, status, officer,
             meeting_date, section, references) = rows[pk]  # fmt: skip
            yield [
                dnr_key,
                board,
                public_title(title, protected_title, protected),
                kinds.get(kind, kind),
                date,
                statuses.get(status, status),
                officer,
                meeting_date,
                f"§ {section}" if section is not None else "",
                references or "",
                base_url + case_path(dnr_key),
            ]


_ROWS_SQL = """
SELECT d.id, c.dnr_key, b.name, d.title, d.public_title, d.title_protected, d.kind,
       d.document_date, c.status, coalesce(nullif(d.officer, ''), c.officer),
       coalesce(d.meeting_date, decision.meeting_date), decision.section,
       (SELECT string_agg(r.display, '|' ORDER BY r.first, r.display)
        FROM (SELECT display, min(start) AS first FROM cases_reference
              WHERE source_id = d.id GROUP BY display) r)
FROM cases_document d
JOIN cases_case c ON c.id = d.case_id
JOIN cases_board b ON b.id = c.board_id
LEFT JOIN LATERAL (
    SELECT x.section, m.date AS meeting_date
    FROM cases_decision x LEFT JOIN cases_meeting m ON m.id = x.meeting_id
    WHERE x.case_id = c.id ORDER BY x.decided_on, x.section LIMIT 1
) decision ON true
WHERE d.id = ANY(%s)
"""


def case_export_rows(ids: Iterable[int], *, base_url: str) -> Iterator[list]:
    """One row per case id, in the given order: the public title, the first decision's
    meeting and paragraph, and how many public documents the case has. One query per
    batch."""
    case_path = _case_path_function()
    statuses = dict(CaseStatus.choices)
    for batch in _batches(ids, BATCH_SIZE):
        with connection.cursor() as cursor:
            cursor.execute(_CASE_ROWS_SQL, [batch])
            rows = {row[0]: row[1:] for row in cursor.fetchall()}
        for pk in batch:
            if pk not in rows:
                continue
            (dnr_key, board, title, protected_title, protected, status, registered_on,
             officer, meeting_date, section, documents) = rows[pk]  # fmt: skip
            yield [
                dnr_key,
                board,
                public_title(title, protected_title, protected),
                statuses.get(status, status),
                registered_on,
                officer,
                meeting_date,
                f"§ {section}" if section is not None else "",
                documents,
                base_url + case_path(dnr_key),
            ]


_CASE_ROWS_SQL = """
SELECT c.id, c.dnr_key, b.name, c.title, c.public_title, c.title_protected, c.status,
       c.registered_on, c.officer, decision.meeting_date, decision.section,
       (SELECT count(*) FROM cases_searchentry e WHERE e.case_id = c.id AND e.public)
FROM cases_case c
JOIN cases_board b ON b.id = c.board_id
LEFT JOIN LATERAL (
    SELECT x.section, m.date AS meeting_date
    FROM cases_decision x LEFT JOIN cases_meeting m ON m.id = x.meeting_id
    WHERE x.case_id = c.id ORDER BY x.decided_on, x.section LIMIT 1
) decision ON true
WHERE c.id = ANY(%s)
"""


def _case_path_function():
    """Case.get_absolute_url without a reverse() per row (a sixth of an export's time): the
    route's fixed part once, the dnr quoted as reverse() quotes it."""
    head = reverse("cases:case-detail", args=["-"]).removesuffix("-/")

    def case_path(dnr_key: str) -> str:
        return f"{head}{quote(dnr_key, safe=_REVERSE_SAFE)}/"

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
