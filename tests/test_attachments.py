"""Attachments: upload limits, text extraction, downloads only through a permission check."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import attachments
from cases.forms import AttachmentAdminForm
from cases.models import Attachment
from cases.search import criteria, document_search
from tests.factories import DocumentFactory


def docx_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_docx_attachment_text_is_extracted_and_searchable(db, media):
    document = DocumentFactory()
    upload = attachments.read_upload(
        SimpleUploadedFile("karta.docx", docx_bytes("Ängsmarken vid Grimstaskogen"))
    )

    attachment = attachments.add_attachment(document=document, upload=upload, title="Karta")

    results = document_search.search_documents(
        query="grimstaskogen", filters=criteria.SearchFilters()
    )
    assert (attachment.number, attachment.text, attachment.size) == (
        1,
        "Ängsmarken vid Grimstaskogen",
        len(docx_bytes("Ängsmarken vid Grimstaskogen")),
    )
    assert attachment.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert [h.document for h in results.hits] == [document]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tom.txt", b"", "Den skickade filen är tom."),
        ("trasig.pdf", b"%PDF-1.4 inte alls en pdf", "PDF-filen går inte att läsa."),
        ("trasig.docx", b"PK inte en zip", "DOCX-filen går inte att läsa."),
    ],
)
def test_upload_refuses_unreadable_files_in_swedish(db, name, data, message):
    document = DocumentFactory()
    form = AttachmentAdminForm(
        {"document": document.pk, "title": "Bilaga"}, {"file": SimpleUploadedFile(name, data)}
    )

    assert form.errors["file"] == [message]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("\ufeffÄngsmarken – 5 €".encode(), "Ängsmarken – 5 €"),
        ("Ängsmarken – 5 €".encode("cp1252"), "Ängsmarken – 5 €"),
        # 0x81 has no character in Windows-1252: it alone is replaced, the rest stays cp1252.
        ("Ängsmarken – 5 €".encode("cp1252") + b"\x81", "Ängsmarken – 5 €\ufffd"),
    ],
)
def test_text_upload_read_as_utf8_else_windows_1252(db, data, text):
    upload = attachments.read_upload(SimpleUploadedFile("skiss.txt", data))

    assert upload.text == text


def test_upload_refuses_other_file_types_and_large_files(db, settings):
    document = DocumentFactory()
    data = {"document": document.pk, "number": 1, "title": "Bilaga"}

    exe = AttachmentAdminForm(data, {"file": SimpleUploadedFile("virus.exe", b"MZ")})
    big = AttachmentAdminForm(
        data, {"file": SimpleUploadedFile("stor.pdf", b"%PDF" + b"0" * (25 * 1024 * 1024 + 1))}
    )

    assert exe.errors["file"] == ["Bara PDF, DOCX och TXT kan laddas upp."]
    assert big.errors["file"] == ["Filen är för stor (högst 25 MB)."]


def test_public_download_only_for_public_attachments(client, db, media):
    document = DocumentFactory()
    public = Attachment.objects.create(
        document=document,
        number=1,
        title="Karta",
        file=SimpleUploadedFile("karta.txt", b"Karta over parken"),
    )
    secret = Attachment.objects.create(
        document=document,
        number=2,
        title="Utredning",
        file=SimpleUploadedFile("utredning.txt", b"Hemligt"),
        confidential=True,
        osl_reference="26 kap. 1 §",
    )

    ok = client.get(f"/bilaga/{public.pk}/")
    refused = client.get(f"/bilaga/{secret.pk}/")

    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == b"Karta over parken"
    assert refused.status_code == 404
    assert client.get(f"/media/{secret.file.name}").status_code == 404
    assert client.get(f"/{secret.file.name}").status_code == 404
