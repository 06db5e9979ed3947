"""XLSX exports that read well in Excel and LibreOffice: columns as wide as their content
(no ``###`` for a date, no dnr cut to "HV 2019/1"), a frozen header row with an autofilter,
the links as hyperlinks, and a second sheet "Sökning" that says what was searched and when.

Written in openpyxl's write-only mode, row by row into a temporary file: the widths come
from the header and the first SAMPLE_ROWS rows (held back until then), so memory stays flat
for an export of 200,000 rows.
"""

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

SAMPLE_ROWS = 1000
MIN_WIDTH = 8
MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
LINK_COLUMN = "Länk"


def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(columns: list[str], rows: list[list]) -> list[float]:
    """Each column as wide as its longest header or cell (the longest line of a cell with
    line breaks), with room for the filter button, within MIN_WIDTH and MAX_WIDTH."""
    widths = []
    for index, title in enumerate(columns):
        longest = max([len(title) + 3, *(_text_width(row[index]) for row in rows)])
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))))
    return widths


def workbook_file(
    rows: Iterable[list],
    *,
    columns: list[str],
    sheet_title: str,
    parameters: list[tuple[str, str]],
):
    """The workbook in a temporary file (rewound), with the data on the first sheet and
    ``parameters`` (label, value) on the sheet "Sökning"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, width in enumerate(column_widths(columns, sample), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    header = []
    for title in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    link_index = columns.index(LINK_COLUMN) if LINK_COLUMN in columns else None
    count = 0
    for cells in _data_cells(sheet, _chain(sample, rows), link_index=link_index):
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    _write_parameters(workbook.create_sheet("Sökning"), parameters, font=bold)

    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


def _data_cells(sheet, rows: Iterator[list], *, link_index: int | None) -> Iterator[list]:
    """Each row's cells: dates with the date format, integers as numbers, the rest as typed
    text (the link column as a hyperlink)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    link_font = Font(color="0563C1", underline="single")
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int) and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
            else:
                cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
                # A typed string cell is never evaluated, also when it starts with "=".
                cell.data_type = "s"
                if index == link_index and value:
                    cell.hyperlink = str(value)
                    cell.font = link_font
            cells.append(cell)
        yield cells


def _write_parameters(about, parameters: list[tuple[str, str]], *, font) -> None:
    """The sheet "Sökning": one row per parameter, the label in ``font``."""
    from openpyxl.cell import WriteOnlyCell

    about.column_dimensions["A"].width = float(max(len(label) for label, _ in parameters) + 2)
    about.column_dimensions["B"].width = float(
        min(MAX_WIDTH * 2, max(len(value) for _, value in parameters) + 2)
    )
    for label, value in parameters:
        label_cell = WriteOnlyCell(about, value=label)
        label_cell.font = font
        value_cell = WriteOnlyCell(about, value=value)
        value_cell.data_type = "s"
        about.append([label_cell, value_cell])


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest
