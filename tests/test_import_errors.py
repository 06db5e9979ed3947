"""Bad files in an import folder: each gets a Swedish reason, the rest are imported, the summary
lists both, and the exit status (or the background run's state) says that something failed."""

import contextlib
import io
import os
import pwd
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from pypdf import PdfWriter

from cases import background
from cases.importers import files
from cases.models import BackgroundRun, Document

TU = "\n".join(
    [
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
)


def _pdf(*, user_password: str = "", owner_password: str = "ägare") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Krypterad skrivelse", "/CreationDate": "D:20190614"})
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return out.getvalue()


def _bad_folder(root: Path) -> Path:
    folder = root / "inkorg"
    (folder / "undermapp").mkdir(parents=True)
    (folder / "a_bra.txt").write_text(TU, encoding="utf-8")
    (folder / "b_slinga.txt").symlink_to(folder / "c_slinga.txt")
    (folder / "c_slinga.txt").symlink_to(folder / "b_slinga.txt")
    (folder / "undermapp" / "tillbaka").symlink_to(folder)
    (folder / "d_tom.txt").write_bytes(b"")
    (folder / "e_blanksteg.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (folder / "f_lasad.pdf").write_bytes(_pdf(user_password="hemligt"))
    (folder / "g_trasig.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrasig")
    (folder / "h_trasig.docx").write_bytes(b"PK\x03\x04 inte en zip")
    (folder / "i_utf16.txt").write_bytes(TU.encode("utf-16"))
    (folder / "j_bild.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "k_saknas.txt").symlink_to(folder / "finns-inte.txt")
    return folder


REASONS = [
    ("b_slinga.txt", "Symbolisk länk i en slinga (länken pekar till slut på sig själv)."),
    ("c_slinga.txt", "Symbolisk länk i en slinga (länken pekar till slut på sig själv)."),
    ("d_tom.txt", "Filen är tom."),
    ("e_blanksteg.txt", "Filen innehåller ingen text (bara blanksteg och radbrytningar)."),
    ("f_lasad.pdf", "PDF-filen är lösenordsskyddad (den kräver ett lösenord)."),
    ("g_trasig.pdf", "Filen kan inte läsas som PDF (den är skadad eller ingen PDF)."),
    ("h_trasig.docx", "DOCX-filen går inte att läsa (den är skadad eller ingen DOCX)."),
    ("i_utf16.txt", "Filen är inte text: den innehåller styrtecken (binär fil eller UTF-16)."),
    ("j_bild.png", "Filtypen .png kan inte läsas in (bara .txt, .pdf och .docx)."),
    ("k_saknas.txt", "Filen finns inte (eller är en länk till något som inte finns)."),
    ("undermapp/tillbaka", "Länken leder tillbaka till en mapp som redan läses (en slinga)."),
]


def test_command_imports_the_good_file_and_lists_every_bad_one(db, hv, tmp_path):
    folder = _bad_folder(tmp_path)
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("import_documents", str(folder), board="HV", stdout=out)

    lines = out.getvalue().splitlines()
    start = lines.index("Inlästa filer: 1.")
    assert lines[start:] == [
        "Inlästa filer: 1.",
        f"  {folder / 'a_bra.txt'}: 1 nya och 0 uppdaterade handlingar.",
        "Filer som inte lästes in: 11.",
        *(f"  {folder / name}: {reason}" for name, reason in REASONS),
    ]
    assert str(error.value) == (
        "11 av 12 filer lästes inte in (se listan ovan; inget ändrades för dem)."
    )
    assert list(Document.objects.values_list("case__dnr", "title")) == [
        ("HV 2019/501", "Parkbänkar i Grimsta")
    ]


def test_command_exit_status_is_one_when_a_file_failed(db, hv, tmp_path):
    (tmp_path / "tom.txt").write_bytes(b"")

    with pytest.raises(CommandError) as error:
        call_command("import_documents", str(tmp_path), board="HV", stdout=io.StringIO())

    assert error.value.returncode == 1


def test_pdf_with_only_an_owner_password_is_imported(db, hv, tmp_path):
    path = tmp_path / "agarlosenord.pdf"
    path.write_bytes(_pdf(user_password=""))

    call_command("import_documents", str(path), board="HV", verbosity=0)

    assert list(Document.objects.values_list("title", "text_source")) == [
        ("Krypterad skrivelse", "none")
    ]


def test_docx_is_imported_as_typed_text(db, hv, tmp_path):
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in TU.splitlines())
    path = tmp_path / "tu.docx"
    path.write_bytes(_docx(body))

    call_command("import_documents", str(path), board="HV", verbosity=0)

    assert list(Document.objects.values_list("case__dnr", "title", "text_source")) == [
        ("HV 2019/501", "Parkbänkar i Grimsta", "typed")
    ]


def test_cp1252_text_from_older_windows_tools_is_still_read(db, hv, tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(TU.encode("cp1252"))

    call_command("import_documents", str(path), board="HV", verbosity=0)

    assert Document.objects.get().title == "Parkbänkar i Grimsta"


@contextlib.contextmanager
def _as_unprivileged_user():
    """Root reads every file whatever its mode: drop to ``nobody`` for the duration."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(pwd.getpwnam("nobody").pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)


def test_unreadable_file_gets_a_swedish_reason(db, hv):
    # Outside pytest's private tmp folder, which an unprivileged user cannot enter.
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o755)
        (folder / "a_bra.txt").write_text(TU, encoding="utf-8")
        (folder / "a_bra.txt").chmod(0o644)
        (folder / "b_hemlig.txt").write_text(TU.replace("501", "502"), encoding="utf-8")
        (folder / "b_hemlig.txt").chmod(0o000)
        out = io.StringIO()

        with _as_unprivileged_user(), pytest.raises(CommandError):
            call_command("import_documents", str(folder), board="HV", stdout=out)

    assert out.getvalue().splitlines()[-2:] == [
        "Filer som inte lästes in: 1.",
        f"  {folder / 'b_hemlig.txt'}: Filen går inte att läsa: behörighet saknas.",
    ]
    assert list(Document.objects.values_list("case__dnr", flat=True)) == ["HV 2019/501"]


def test_collect_files_walks_on_past_a_symlink_loop(tmp_path):
    folder = _bad_folder(tmp_path)

    found, refused = files.collect_files([folder])

    assert found == [
        folder / "a_bra.txt",
        folder / "d_tom.txt",
        folder / "e_blanksteg.txt",
        folder / "f_lasad.pdf",
        folder / "g_trasig.pdf",
        folder / "h_trasig.docx",
        folder / "i_utf16.txt",
    ]
    assert [(str(r.path.relative_to(folder)), r.reason) for r in refused] == [
        REASONS[0],
        REASONS[1],
        REASONS[8],
        REASONS[9],
        REASONS[10],
    ]


@pytest.mark.django_db
def test_background_import_lists_imported_and_failed_files(client, hv, tmp_path):
    folder = _bad_folder(tmp_path)
    run = background.start_import(board=hv, path=str(folder))

    background.run_import(run.pk)

    run.refresh_from_db()
    assert (run.state, run.total, run.done, run.failed) == (BackgroundRun.State.FAILED, 12, 12, 11)
    assert run.imported == f"{folder / 'a_bra.txt'}: 1 nya och 0 uppdaterade handlingar"
    assert sorted(run.failures.splitlines()) == [
        f"{folder / name}: {reason}" for name, reason in REASONS
    ]
    client.force_login(
        get_user_model().objects.create_superuser("admin", password="Ett-långt-lösenord-2026")
    )
    html = client.get(f"/admin/cases/backgroundrun/{run.pk}/change/").content.decode()
    assert "12 av 12 (100 %), 11 misslyckade" in html
    assert "Symbolisk länk i en slinga" in html
