"""The ``import_documents`` command: options, PDFs with and without a text layer, summary."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfWriter

from cases.importers.pdf import read_pdf
from cases.models import Case, Document

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, WinAnsi for å/ä/ö)."""
    body = (
        b"BT /F1 11 Tf 50 780 Td 14 TL "
        + b" ".join(
            b"(" + line.encode("cp1252").replace(b"(", b"\\(").replace(b")", b"\\)") + b") '"
            for line in lines
        )
        + b" ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (Skannat brev) /CreationDate (D:20190612090000) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def pdf_without_text() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Inskannad skrivelse", "/CreationDate": "D:20190614"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


TU_LINES = [
    "Handläggare",
    "Anna Andersson",
    "Telefon: 08-508 04 000",
    "Till",
    "Hässelby-Vällingby stadsdelsnämnd",
    "2019-08-29",
    "Dnr HV 2019/501",
    "",
    "Parkbänkar i Grimsta",
    "",
    "Förslag till beslut",
    "Stadsdelsnämnden godkänner förvaltningens tjänsteutlåtande.",
    "Sammanfattning",
    "Förvaltningen föreslår fler parkbänkar längs strandpromenaden i Grimsta.",
]


def test_read_pdf_text_layer():
    content = read_pdf(pdf_with_text(["Förslag till beslut", "Nämnden godkänner."]))

    assert (content.text_source, content.pages, content.title) == ("text_layer", 1, "Skannat brev")
    assert content.text == " Förslag till beslut\nNämnden godkänner."


def test_read_pdf_without_text_layer_needs_ocr():
    content = read_pdf(pdf_without_text())

    assert (content.text_source, content.text, content.title) == ("none", "", "Inskannad skrivelse")


def test_command_imports_pdf_with_text_layer(db, hv, tmp_path):
    path = tmp_path / "tu.pdf"
    path.write_bytes(pdf_with_text(TU_LINES))

    call_command("import_documents", str(path), board="HV", verbosity=0)

    document = Document.objects.get()
    assert (document.case.dnr, document.kind, document.text_source) == (
        "HV 2019/501",
        "tjansteutlatande",
        "text_layer",
    )
    assert (document.title, document.officer) == ("Parkbänkar i Grimsta", "Anna Andersson")
    assert document.clean_text.endswith("strandpromenaden i Grimsta.")


def test_command_imports_pdf_without_text_layer_flagged(db, hv, tmp_path):
    path = tmp_path / "skanning.pdf"
    path.write_bytes(pdf_without_text())
    out = io.StringIO()

    call_command("import_documents", str(path), board="hasselby-vallingby", stdout=out)

    document = Document.objects.get()
    assert (document.text_source, document.full_text, document.title) == (
        "none",
        "",
        "Inskannad skrivelse",
    )
    assert (document.case.dnr, document.case.board.short_name) == (
        "PREL 2019/1",
        "Hässelby-Vällingby",
    )
    assert "PDF utan textlager (1 sidor) – behöver OCR." in out.getvalue()


def test_command_unknown_board_is_refused_in_swedish(db, boards):
    with pytest.raises(CommandError, match="Okänd nämnd ”Narnia”."):
        call_command("import_documents", str(SEEDS), board="Narnia")


def test_command_missing_path_is_refused(db, boards, tmp_path):
    with pytest.raises(CommandError, match="Hittar inte"):
        call_command("import_documents", str(tmp_path / "saknas.txt"))


def test_command_summary_in_swedish(db, hv):
    out = io.StringIO()

    call_command("import_documents", str(SEEDS / "003_9a413c8b3096659a.txt"), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[1:4] == [
        "Ärenden: 1 nya, 0 uppdaterade.",
        "Handlingar: 1 nya, 0 uppdaterade (1 tjänsteutlåtanden).",
        "Hänvisningar: 0 nya, 0 borttagna.",
    ]
    assert Case.objects.get().dnr == "PREL 2022/1"


def test_command_progress_on_stderr_at_verbosity_two(db, hv):
    err = io.StringIO()

    call_command(
        "import_documents", str(SEEDS / "004_d89b0ecc961349f8.txt"), verbosity=2, stderr=err
    )

    assert err.getvalue().splitlines() == [
        "Läser in demo/seeds/004_d89b0ecc961349f8.txt …",
        "  PREL 2025/1-1 Skrivelse angående arbetsmiljö socialsekreterare",
    ]
