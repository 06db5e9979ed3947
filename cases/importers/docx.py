"""DOCX files: the paragraphs of ``word/document.xml``, without extra libraries.

Pure Python, no ORM. The one place a DOCX is read (imports and uploaded attachments).
"""

import io
import zipfile
from xml.etree import ElementTree

NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocxError(ValueError):
    """A file that cannot be read as DOCX; the message is Swedish."""


def read_docx(data: bytes) -> str:
    """The text of a DOCX, one line per paragraph."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo("word/document.xml").flag_bits & 0x1:
                raise DocxError("DOCX-filen är lösenordsskyddad.")
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except DocxError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, ValueError) as error:
        raise DocxError("DOCX-filen går inte att läsa (den är skadad eller ingen DOCX).") from error
    paragraphs = []
    for paragraph in root.iter(f"{NAMESPACE}p"):
        paragraphs.append("".join(node.text or "" for node in paragraph.iter(f"{NAMESPACE}t")))
    return "\n".join(paragraphs)
