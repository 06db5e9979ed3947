"""A large text file read in batches: each batch is a window of the file that ends where a
document starts, so it parses on its own and never splits a handling.

Pure Python, no ORM. Only one window is in memory at a time (about ``size`` bytes, more only
when a single document is larger), so the memory an import needs does not grow with the file.
Offsets are in bytes (to seek to) and the text of each batch is decoded on its own: a window
always ends at a line end, which in UTF-8 and Windows-1252 is never inside a character.
"""

from dataclasses import dataclass
from pathlib import Path

from .cleaning import letterhead_lines, split_lines
from .segment import find_anchors

# Where a batch may end, best first: a tjänsteutlåtande's header or a cover sheet starts a
# main document, so the attachments after it stay in its batch.
MAIN_ANCHORS = ("header", "cover")


@dataclass(frozen=True)
class Batch:
    text: str
    start: int  # byte offset of the window in the file
    end: int  # byte offset after the window: where the next batch starts
    last: bool  # the window reaches the end of the file


def read_batch(path: Path, *, offset: int, size: int, encoding: str) -> Batch:
    """The window of ``path`` that starts at byte ``offset``: about ``size`` bytes, ending
    just before the last document that starts in it (or at the end of the file)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        data = b""
        while True:
            data += handle.read(size) + handle.readline()
            last = handle.read(1) == b""
            handle.seek(offset + len(data))
            text = _decode(data, encoding, first=offset == 0)
            if last:
                return Batch(text, offset, offset + len(data), True)
            cut = _last_document_start(text)
            if cut is not None:
                before = _line_start_byte(data, cut)
                return Batch(text[: _line_start_char(text, cut)], offset, offset + before, False)


def _decode(data: bytes, encoding: str, *, first: bool) -> str:
    if encoding.startswith("utf-8"):
        # The byte-order mark only ever stands at the very start of the file.
        return data.decode("utf-8-sig" if first else "utf-8")
    return data.decode(encoding, errors="replace")


def _last_document_start(text: str) -> int | None:
    """The line index of the last document start after the first line, preferring a main
    document's; None when the window holds a single document (the caller reads on)."""
    lines = split_lines(text)
    anchors = [a for a in find_anchors(lines, letterhead_lines(lines)) if a.line > 0]
    main = [a for a in anchors if a.kind in MAIN_ANCHORS]
    chosen = main or anchors
    return chosen[-1].line if chosen else None


def _line_start_byte(data: bytes, line: int) -> int:
    position = 0
    for _ in range(line):
        position = data.index(b"\n", position) + 1
    return position


def _line_start_char(text: str, line: int) -> int:
    position = 0
    for _ in range(line):
        position = text.index("\n", position) + 1
    return position
