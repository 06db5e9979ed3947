"""PDF files: the text layer (pypdf) and the document information.

Pure Python, no ORM. A PDF whose pages carry no usable text (a scan without OCR) is not
silently imported as empty: :func:`read_pdf` reports ``text_source="none"`` and the importer
registers it with its metadata, flagged as needing OCR.
"""

import datetime
import io
import re
from dataclasses import dataclass

from pypdf import PdfReader

# Fewer letters than this per page on average: the pages are images (or nearly empty), and
# the few characters found are page numbers or stamps, not the document's text.
MIN_LETTERS_PER_PAGE = 40


class PdfError(ValueError):
    """A file that pypdf cannot read as a PDF; the message is Swedish."""


class PdfLockedError(PdfError):
    """A PDF that asks for a password to open it."""


@dataclass
class PdfContent:
    text: str  # page texts, each page starting on a new line with one space (as the OCR seeds)
    text_source: str  # "text_layer" or "none"
    pages: int
    title: str
    author: str
    created: datetime.date | None


def read_pdf_pages(data: bytes) -> tuple[list[str], dict]:
    """The text layer of each page and the document information: the one place a PDF is
    read (imports and uploaded attachments). A PDF with only an owner password opens with
    the empty user password; one that asks for a password raises PdfLockedError."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfLockedError("PDF-filen är lösenordsskyddad (den kräver ett lösenord).")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except PdfError:
        raise
    except Exception as error:
        # pypdf parses untrusted bytes and a damaged file can fail anywhere in it (its own
        # errors, but also KeyError, AttributeError, zlib and recursion errors); its messages
        # are English, so the reader sees only the Swedish reason.
        raise PdfError("Filen kan inte läsas som PDF (den är skadad eller ingen PDF).") from error
    return pages, info


def read_pdf(data: bytes) -> PdfContent:
    pages, info = read_pdf_pages(data)
    letters = sum(len(re.findall(r"[^\W\d_]", page)) for page in pages)
    usable = bool(pages) and letters >= MIN_LETTERS_PER_PAGE * len(pages) / 2
    text = "\n".join(_page_text(page) for page in pages) if usable else ""
    created = _pdf_date(str(info.get("/CreationDate", "") or ""))
    return PdfContent(
        text=text,
        text_source="text_layer" if usable else "none",
        pages=len(pages),
        title=str(info.get("/Title", "") or "").strip(),
        author=str(info.get("/Author", "") or "").strip(),
        created=created,
    )


def _page_text(page: str) -> str:
    """Mark the page start the way the OCR'd seeds do, one leading space, so the same
    segmentation finds page boundaries; other lines lose their leading blanks."""
    lines = [line.strip() for line in page.replace("\r", "").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return ""
    return "\n".join([" " + lines[0], *lines[1:]])


def _pdf_date(value: str) -> datetime.date | None:
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value)
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None
