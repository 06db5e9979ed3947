"""Plain-text files (.txt): the bytes of an uploaded or imported file as text.

Pure Python, no ORM. The one decoding rule for every plain-text path (attachment uploads and
the document import).
"""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252.

    Older exports from Windows tools are cp1252, which has a character for all but five byte
    values; those five (never Swedish text) become U+FFFD rather than making the whole file
    unreadable.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
