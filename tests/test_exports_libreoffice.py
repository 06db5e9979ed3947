"""A real spreadsheet program reads the exports: LibreOffice Calc (Debian), headless."""

import csv
import datetime
import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from cases.services import indexing
from tests.factories import CaseFactory, DocumentFactory

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("PORTAL_REQUIRE_TEST_TOOLS"),
    reason="LibreOffice (soffice) saknas",
)
# LibreOffice's CSV import options: separator ';' (59), text delimiter '"' (34), UTF-8 (76),
# start at line 1 — what Swedish Excel assumes for a semicolon file with a BOM.
CSV_FILTER = "CSV:59,34,76,1"


def convert(tmp_path, source, target_ext, infilter=None):
    profile = tmp_path / "lo-profile"
    command = [
        SOFFICE,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        target_ext,
        "--outdir",
        str(tmp_path / "out"),
        str(source),
    ]
    if infilter:
        command.insert(3, f"--infilter={infilter}")
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return tmp_path / "out" / (source.stem + "." + target_ext.split(":")[0])


@pytest.fixture
def exported(client, hv):
    case = CaseFactory(
        board=hv, dnr="1.2.4-346-2019", dnr_key="1.2.4-346-2019", dnr_year=2019, dnr_number=346
    )
    document = DocumentFactory(
        case=case,
        title='Svar på "förslag"; gungor och ängsmark\nvid Grimstaskogen',
        full_text="Åtgärder för parkbänkar vid Ängby.",
        document_date=datetime.date(2019, 8, 7),
    )
    indexing.index_document(document=document)
    csv_bytes = b"".join(client.get("/sok/export.csv", {"q": "parkbänkar"}).streaming_content)
    xlsx_bytes = b"".join(client.get("/sok/export.xlsx", {"q": "parkbänkar"}).streaming_content)
    return document, csv_bytes, xlsx_bytes


def test_libreoffice_reads_csv_cells_intact(tmp_path, exported):
    document, csv_bytes, _ = exported
    source = tmp_path / "arenden.csv"
    source.write_bytes(csv_bytes)

    converted = convert(tmp_path, source, "xlsx", infilter=CSV_FILTER)
    sheet = load_workbook(converted).active
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert header[:3] == ["Diarienummer", "Nämnd", "Rubrik"]
    assert len(row) == 11
    assert row[0] == "1.2.4-346-2019"
    assert row[1] == "Hässelby-Vällingby stadsdelsnämnd"
    assert row[2] == 'Svar på "förslag"; gungor och ängsmark\nvid Grimstaskogen'
    assert row[3] == "Tjänsteutlåtande"


def test_libreoffice_reads_xlsx_cells_typed(tmp_path, exported):
    document, _, xlsx_bytes = exported
    source = tmp_path / "arenden.xlsx"
    source.write_bytes(xlsx_bytes)

    converted = convert(tmp_path, source, "csv:Text - txt - csv (StarCalc):59,34,76,1")
    rows = list(csv.reader(io.StringIO(converted.read_text("utf-8")), delimiter=";"))

    assert rows[1][0] == "1.2.4-346-2019"
    assert rows[1][2] == 'Svar på "förslag"; gungor och ängsmark\nvid Grimstaskogen'
    assert rows[1][4] == "2019-08-07"


def test_libreoffice_shows_every_xlsx_cell_whole_with_working_links(tmp_path, exported):
    """Printed to PDF, a cell too narrow for its date or number shows ### and a long dnr is
    cut off; the links are PDF link annotations only when the cells are hyperlinks."""
    from pypdf import PdfReader

    document, _, xlsx_bytes = exported
    source = tmp_path / "arenden.xlsx"
    source.write_bytes(xlsx_bytes)

    converted = convert(tmp_path, source, "pdf")
    reader = PdfReader(converted)
    text = "\n".join(page.extract_text() for page in reader.pages)
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/A", {}).get("/URI")
    ]

    assert "###" not in text
    assert "1.2.4-346-2019" in text
    assert "2019-08-07" in text
    assert links == ["http://testserver/namnd/hasselby-vallingby/arende/1.2.4-346-2019/"]
