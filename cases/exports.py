"""CSV and XLSX exports of a search result, for Swedish Excel.

Format (DOMAIN.md): UTF-8 with BOM, ``;`` delimiter, CRLF, RFC 4180 quoting, ISO dates,
Swedish headers; cells starting with ``= + - @``, TAB or CR get a leading ``'`` so Excel
never runs them as formulas. Rows are fetched in batches: the number of queries grows with
batches, not with rows, and memory stays flat.
"""

import csv
import datetime
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from .models import Decision, Document, Reference

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
    """One row per document id, in the given order, with typed values (dates as dates)."""
    for batch in _batches(ids, BATCH_SIZE):
        documents = (
            Document.objects.filter(pk__in=batch)
            .select_related("case", "case__board")
            .prefetch_related(
                Prefetch(
                    "references",
                    queryset=Reference.objects.order_by("start").only(
                        "source_id", "display", "start"
                    ),
                ),
            )
            .in_bulk()
        )
        case_ids = {d.case_id for d in documents.values()}
        decisions = defaultdict(list)
        for decision in (
            Decision.objects.filter(case_id__in=case_ids)
            .select_related("meeting")
            .order_by("decided_on", "section")
        ):
            decisions[decision.case_id].append(decision)
        for pk in batch:
            document = documents.get(pk)
            if document is None:
                continue
            yield _row(document, decisions[document.case_id], base_url)


def _row(document: Document, decisions: list[Decision], base_url: str) -> list:
    case = document.case
    decision = decisions[0] if decisions else None
    meeting_date = document.meeting_date or (
        decision.meeting.date if decision and decision.meeting else None
    )
    references = []
    for reference in document.references.all():
        if reference.display not in references:
            references.append(reference.display)
    return [
        case.dnr_key,
        case.board.name,
        document.display_title,
        document.get_kind_display(),
        document.document_date,
        case.get_status_display(),
        document.officer or case.officer,
        meeting_date,
        f"§ {decision.section}" if decision else "",
        "|".join(references),
        base_url + case.get_absolute_url(),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_stream(rows: Iterable[list]) -> Iterator[bytes]:
    """The CSV file as byte chunks: BOM and header first, so the first byte goes out at once."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    yield ("\ufeff" + writer.writerow(COLUMNS)).encode("utf-8")
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_cell(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def xlsx_file(rows: Iterable[list]):
    """An XLSX workbook in a temporary file, written in openpyxl's write-only mode.

    Dnr are text cells (Excel never turns them into dates); dates are date cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ärenden")
    bold = Font(bold=True)
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
                # A typed string cell is never evaluated, also when it starts with "=".
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
