"""Attachment uploads: the one way a file becomes a bilaga.

Every upload path (the attachment page, the Bilagor inline on the document page, "Registrera
ärende") reads the file with ``read_upload`` (type, size, text; a Swedish error for anything
else) and stores it with ``save_attachment`` or ``add_attachment``, which also reindexes the
handling so the attachment's words are searchable.
"""

import dataclasses

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from .importers import docx, pdf, plain_text
from .models import Attachment, Document
from .services import indexing, registering

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}


class AttachmentError(registering.RegisterError):
    """An upload the register refuses; the message is Swedish."""


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file that was read: what the register stores about it besides the file."""

    file: UploadedFile
    content_type: str
    size: int
    text: str

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        """The title a bilaga gets when none is typed: the file name without its extension."""
        stem, dot, _suffix = self.filename.rpartition(".")
        return stem if dot and stem else self.filename


def read_upload(file: UploadedFile) -> Upload:
    """Check an uploaded file's type and size and read its text (PDF, DOCX or TXT)."""
    name = (file.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in ALLOWED_UPLOADS:
        raise AttachmentError("Bara PDF, DOCX och TXT kan laddas upp.")
    if file.size > MAX_UPLOAD_BYTES:
        raise AttachmentError("Filen är för stor (högst 25 MB).")
    if file.size == 0:
        raise AttachmentError("Filen är tom.")
    file.seek(0)
    data = file.read()
    file.seek(0)
    if suffix == ".pdf":
        text = _pdf_text(data)
    elif suffix == ".docx":
        text = _docx_text(data)
    else:
        text = plain_text.decode_text(data)
    return Upload(file=file, content_type=ALLOWED_UPLOADS[suffix], size=len(data), text=text)


@transaction.atomic
def save_attachment(*, attachment: Attachment, upload: Upload | None = None) -> Attachment:
    """Save an attachment (new or changed), with a newly uploaded file's text, size and type,
    and reindex its handling (the attachment's words, or their removal when it became
    confidential or unpublished)."""
    if upload is not None:
        attachment.file = upload.file
        attachment.content_type = upload.content_type
        attachment.size = upload.size
        attachment.text = upload.text
    if attachment.number is None:
        attachment.number = _next_number(attachment.document)
    if not attachment.title.strip() and upload is not None:
        attachment.title = upload.title
    attachment.save()
    indexing.index_document(document=attachment.document)
    return attachment


@transaction.atomic
def add_attachment(
    *,
    document: Document,
    upload: Upload,
    title: str = "",
    confidential: bool = False,
    osl_reference: str = "",
    published: bool = True,
) -> Attachment:
    """Add a file to a handling as its next bilaga."""
    if confidential:
        osl_reference = registering.normalise_osl_reference(osl_reference)
    attachment = Attachment(
        document=document,
        title=title.strip(),
        confidential=confidential,
        osl_reference=osl_reference if confidential else "",
        published=published,
    )
    return save_attachment(attachment=attachment, upload=upload)


def _next_number(document: Document) -> int:
    # Lock the handling so two uploads to it get consecutive numbers.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    return (document.attachments.aggregate(last=Max("number"))["last"] or 0) + 1


def _pdf_text(data: bytes) -> str:
    try:
        pages, _info = pdf.read_pdf_pages(data)
    except pdf.PdfLockedError as error:
        raise AttachmentError(
            "PDF-filen är lösenordsskyddad. Ladda upp en fil utan lösenord."
        ) from error
    except pdf.PdfError as error:
        raise AttachmentError("PDF-filen går inte att läsa.") from error
    return "\n".join(pages)


def _docx_text(data: bytes) -> str:
    try:
        return docx.read_docx(data)
    except docx.DocxError as error:
        raise AttachmentError("DOCX-filen går inte att läsa.") from error
