"""The files of an import: folders walked once, every file either taken or refused with a
Swedish reason, and the checks a file's bytes pass before they are parsed.

Pure Python, no ORM. One bad file never stops the rest: a symlink loop, a link to nothing, an
unreadable folder, a file of another type, each becomes a :class:`Refused` entry for the
summary, and the walk goes on.
"""

import codecs
import errno
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".pdf", ".docx")
# Control characters other than tab, newline, form feed and carriage return: a file with them
# is binary (or UTF-16), not text, whatever its name says.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BLOCK = 1 << 20


class FileRefused(ValueError):
    """A file the importer will not read; the message is Swedish."""


@dataclass(frozen=True)
class Refused:
    path: Path
    reason: str


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[Refused]]:
    """The importable files under ``paths`` in name order, and the refused ones with reasons.
    Symlinks are followed, but a folder is walked once, so a link back up is reported."""
    files: list[Path] = []
    refused: list[Refused] = []
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        _collect(Path(raw), files, refused, seen)
    return files, refused


def _collect(path: Path, files: list, refused: list, seen: set) -> None:
    try:
        info = path.stat()
    except OSError as error:
        refused.append(Refused(path, describe_os_error(error)))
        return
    if path.is_dir():
        key = (info.st_dev, info.st_ino)
        if key in seen:
            refused.append(
                Refused(path, "Länken leder tillbaka till en mapp som redan läses (en slinga).")
            )
            return
        seen.add(key)
        try:
            children = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as error:
            refused.append(Refused(path, describe_os_error(error, folder=True)))
            return
        for child in children:
            _collect(Path(child.path), files, refused, seen)
    elif not path.is_file():
        refused.append(Refused(path, "Ingen vanlig fil (en enhet, en kö eller en sockel)."))
    elif path.suffix.lower() not in SUFFIXES:
        kind = path.suffix.lower() or "utan filändelse"
        refused.append(
            Refused(path, f"Filtypen {kind} kan inte läsas in (bara .txt, .pdf och .docx).")
        )
    else:
        files.append(path)


def describe_os_error(error: OSError, *, folder: bool = False) -> str:
    """The Swedish reason for a file (or folder) the system would not let us read."""
    thing = "Mappen" if folder else "Filen"
    if error.errno == errno.ELOOP:
        return "Symbolisk länk i en slinga (länken pekar till slut på sig själv)."
    if error.errno == errno.ENOENT:
        return f"{thing} finns inte (eller är en länk till något som inte finns)."
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{thing} går inte att läsa: behörighet saknas."
    if error.errno == errno.EISDIR:
        return "Är en mapp, inte en fil."
    return f"{thing} går inte att läsa (systemfel {error.errno})."


def detect_encoding(path: Path) -> str:
    """The encoding to read a text file with, by the rule of ``plain_text.decode_text``:
    ``utf-8-sig``, else ``cp1252`` (read with ``errors="replace"``). Reads the file in blocks,
    so any size, and refuses an empty file, one without text and one that is not text at all
    (control characters: a binary file or UTF-16). Raises :class:`FileRefused` (or OSError)."""
    try:
        return _check_text(path, "utf-8-sig")
    except UnicodeDecodeError:
        return _check_text(path, "cp1252")


def _check_text(path: Path, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(
        errors="strict" if encoding != "cp1252" else "replace"
    )
    has_text = False
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            text = decoder.decode(block)
            if CONTROL.search(text):
                raise FileRefused(
                    "Filen är inte text: den innehåller styrtecken (binär fil eller UTF-16)."
                )
            has_text = has_text or bool(text.strip())
    has_text = has_text or bool(decoder.decode(b"", final=True).strip())
    if not has_text:
        if path.stat().st_size == 0:
            raise FileRefused("Filen är tom.")
        raise FileRefused("Filen innehåller ingen text (bara blanksteg och radbrytningar).")
    return encoding


def fingerprint(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in blocks: whether a stopped import may resume."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: a cheap check that a file did not change while read."""
    info = path.stat()
    return info.st_size, info.st_mtime_ns
