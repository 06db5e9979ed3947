"""Diarienummer (dnr): parse, normalise, format and find them in text.

Pure standard library: models, importers and search depend on this module, never the other way
round. Everything a board's numbering looks like is data: ``FAMILIES`` lists the spellings
(format families) and ``STOCKHOLM_BOARDS`` says which board uses which prefix and family.

Two directions share one table:

* ``parse_dnr`` reads one number typed by a person (search box, registration form) and is
  tolerant: case, spacing, dashes, "Dnr:" in front, zero padding, OCR's O/l for 0/1.
* ``find_dnrs`` reads running text (OCR'd agendas) and must be precise as well: a bare
  ``2019/123`` is only a dnr when the words around say so, and dates, SFS numbers, phone
  numbers and the like never are.

The package: ``families`` (the table of format families, data), ``grammar`` (the value
object, parsing one number, formatting, spellings), ``boards`` (the boards and outside bodies
the engine knows) and ``finder`` (finding numbers in text and attributing them). Callers import
from here: ``from cases import dnr``; ``dnr.parse_dnr(...)``.
"""

from .boards import (
    EXTERNAL_BODIES,
    EXTERNAL_BY_SHORT_NAME,
    STOCKHOLM_BOARDS,
    BoardInfo,
    ocr_phrase_regex,
)
from .families import (
    CLASS_NUMBER_SLASH_YEAR,
    CLASS_NUMBER_YEAR,
    CLASS_NUMBER_YY,
    CODE_NUMBER_SLASH_YEAR,
    FAMILIES,
    FAMILIES_BY_NAME,
    NOT_PREFIXES,
    NUMBER_YEAR,
    OTHER,
    PREFIX,
    PROVISIONAL_PREFIX,
    TRAFIK,
    YEAR_NUMBER_CLASS,
    FormatFamily,
)
from .finder import OUTSIDE_AUTHORITIES, RELATIONS, DnrMatch, find_dnrs
from .grammar import (
    Dnr,
    DnrError,
    dnr_variants,
    format_dnr,
    looks_like_dnr,
    near_miss_keys,
    parse_dnr,
    try_parse_dnr,
)

__all__ = [
    "CLASS_NUMBER_SLASH_YEAR",
    "CLASS_NUMBER_YEAR",
    "CLASS_NUMBER_YY",
    "CODE_NUMBER_SLASH_YEAR",
    "EXTERNAL_BODIES",
    "EXTERNAL_BY_SHORT_NAME",
    "FAMILIES",
    "FAMILIES_BY_NAME",
    "NOT_PREFIXES",
    "NUMBER_YEAR",
    "OTHER",
    "OUTSIDE_AUTHORITIES",
    "PREFIX",
    "PROVISIONAL_PREFIX",
    "RELATIONS",
    "STOCKHOLM_BOARDS",
    "TRAFIK",
    "YEAR_NUMBER_CLASS",
    "BoardInfo",
    "Dnr",
    "DnrError",
    "DnrMatch",
    "FormatFamily",
    "dnr_variants",
    "find_dnrs",
    "format_dnr",
    "looks_like_dnr",
    "near_miss_keys",
    "ocr_phrase_regex",
    "parse_dnr",
    "try_parse_dnr",
]
