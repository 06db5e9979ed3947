"""The dnr grammar: the value object, reading one typed number, formatting, spellings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .families import (
    CLASS_NUMBER_SLASH_YEAR,
    CLASS_NUMBER_YEAR,
    CODE_NUMBER_SLASH_YEAR,
    FAMILIES,
    FAMILIES_BY_NAME,
    NOT_PREFIXES,
    NUMBER_DASH_YEAR,
    NUMBER_YEAR,
    OTHER,
    PREFIX,
    TRAFIK,
    FormatFamily,
)


class DnrError(ValueError):
    """A text that is not one diarienummer; the message is Swedish."""


_CLASS = r"[0-9]{1,2}(?:\.[0-9]{1,2}){1,4}"
_DOT_CLASS = r"[0-9]{3}"  # Huddinge's diarieplan code
_H = r"[ \t\u00a0\u2007\u202f]"
# Inside a number in running text: spaces and at most one line break (OCR wraps "HV 2019/\n272").
_GAP = rf"{_H}*(?:\r?\n{_H}*)?"
_DASH = r"[-\u2010-\u2015\u2212\ufe63\uff0d]"
_LETTER = r"[^\W\d_]"
_PREFIX_RAW = rf"(?<![\w/\-\u2010-\u2015])(?P<prefix>{_LETTER}{{1,6}})"
_PREFIX_SEP = rf"(?P<psep>{_H}*(?:[-/\u2010-\u2015]){_H}*|{_GAP})"

# piece -> (regex over the normalised spelling, regex over running text)
_PIECES: dict[str, tuple[str, str]] = {
    "prefix?": (r"(?:(?P<prefix>[^\W\d_]+) )?", rf"(?:{_PREFIX_RAW}{_PREFIX_SEP})?"),
    "T": (r"(?P<prefix>T) ", rf"(?<![\w/\-])(?P<prefix>[Tt]){_PREFIX_SEP}"),
    "year": (r"(?P<year>[0-9]{4})", r"(?P<year>(?:19|20)[0-9]{2})"),
    "yy": (r"(?P<year>[0-9]{2})", r"(?P<year>[0-9]{2})"),
    "year|yy": (r"(?P<year>[0-9]{4}|[0-9]{2})", r"(?P<year>(?:19|20)[0-9]{2}|[0-9]{2})"),
    "number": (r"(?P<number>[0-9]{1,7})", r"(?P<number>[0-9]{1,7})"),
    # A stray dot before the dash ("3.1.1.-23/2019") belongs to the number; at the end it is
    # the sentence's full stop.
    "class": (
        rf"(?P<classification>{_CLASS})\.?",
        rf"(?P<classification>{_CLASS})(?:\.(?={_GAP}{_DASH}))?",
    ),
    "code": (r"(?P<classification>[0-9]{3})", r"(?P<classification>[0-9]{3})"),
    "code13": (r"(?P<classification>[0-9]{1,3})", r"(?P<classification>[0-9]{1,3})"),
    "code34": (r"(?P<classification>[0-9]{3,4})", r"(?P<classification>[0-9]{3,4})"),
    "code35": (r"(?P<classification>[0-9]{3,5})", r"(?P<classification>[0-9]{3,5})"),
    "code|class": (
        rf"(?P<classification>{_CLASS}|[0-9]{{3}})",
        rf"(?P<classification>{_CLASS}|[0-9]{{3}})",
    ),
    # "002/023-2009", "1.1.-295/12": a dot may end the class before its separator.
    "code13|class": (
        rf"(?P<classification>{_CLASS}|[0-9]{{1,3}})\.?",
        rf"(?P<classification>{_CLASS}|[0-9]{{1,3}})",
    ),
    "number3": (r"(?P<number>[0-9]{3,7})", r"(?P<number>[0-9]{3,7})"),
    "/": ("/", rf"{_GAP}/{_GAP}"),
    "-": ("-", rf"{_GAP}{_DASH}{_GAP}"),
    "sep": (r"(?P<sep>[/:.-])", rf"(?:{_GAP}(?P<sep>[/:]|{_DASH}){_GAP}|(?P<dot>\.))"),
    "doc:?": (r"(?::(?P<document>[0-9]{1,3}))?", r"(?::(?P<document>[0-9]{1,3})(?![0-9]))?"),
    "doc?": (r"(?:-(?P<document>[0-9]{1,4}))?", rf"(?:{_DASH}(?P<document>[0-9]{{1,4}}))?"),
    # A trailing classification: "KS 2019/00123-1.2.3" (Västerås), "KS-2019/1234.109" (Huddinge).
    "class?": (
        rf"(?:-(?P<suffix>{_CLASS})|\.(?P<dsuffix>{_DOT_CLASS}))?",
        rf"(?:{_DASH}(?P<suffix>{_CLASS})|\.(?P<dsuffix>{_DOT_CLASS}))?",
    ),
}

# A number in running text must not be glued to more digits or letters: that is a date
# (2019-05-22), a riksdag print (2017/18:1), a path (tidning/2019/3/), a file (2018-8-9.pdf).
_START_RAW = r"(?<![\w/\\@])(?<![0-9][.,:/\-\u2010-\u2015])"
_END_RAW = r"(?![\w])(?![.,:\-\u2010-\u2015][0-9a-zåäö])(?!/[\w])(?!\.[0-9])(?![%‰])"


def _compile_family(family: FormatFamily) -> tuple[re.Pattern[str], re.Pattern[str]]:
    normalised = "".join(_PIECES[piece][0] for piece in family.pieces)
    running = "".join(_PIECES[piece][1] for piece in family.pieces)
    return re.compile(normalised), re.compile(_START_RAW + running + _END_RAW)


_COMPILED = {family.name: _compile_family(family) for family in FAMILIES}


# --- The value object ------------------------------------------------------------------------


@dataclass(frozen=True)
class Dnr:
    """One diarienummer, parsed. Two spellings of the same number give equal objects."""

    family: str
    year: int
    number: int
    prefix: str | None = None
    classification: str | None = None
    document: int | None = None
    # Only for a number of no known family (``OTHER``): its tidied spelling, which is its key.
    text: str | None = None

    @property
    def key(self) -> str:
        """The case's canonical spelling: document number left out, and in the prefix family
        a trailing classification ("KS 2019/00123-1.2.3") too, since the number alone names
        the case."""
        case = self.case_dnr
        if self.family == OTHER:
            return self.text or ""
        if self.family == PREFIX:
            case = replace(case, classification=None)
        return format_dnr(case)

    @property
    def display(self) -> str:
        return format_dnr(self)

    @property
    def case_dnr(self) -> Dnr:
        return replace(self, document=None)

    def __str__(self) -> str:
        return self.display


def _template_fields(dnr: Dnr) -> dict[str, str]:
    number = str(dnr.number)
    # "1999/2019" would read back as year 1999, löpnummer 2019: pad so it stays a löpnummer.
    number_not_year = f"{dnr.number:05d}" if _looks_like_year(number) else number
    return {
        "p": f"{dnr.prefix} " if dnr.prefix else "",
        "year": str(dnr.year),
        "yy": f"{dnr.year % 100:02d}",
        "number": number,
        "number5": f"{dnr.number:05d}",
        "number_not_year": number_not_year,
        "classification": dnr.classification or "",
        "doc": f"-{dnr.document}" if dnr.document is not None else "",
        "docc": f":{dnr.document}" if dnr.document is not None else "",
        # "-1.2.3" but ".109": "-109" would read back as a document number.
        "cls": (
            ""
            if not dnr.classification
            else f"-{dnr.classification}"
            if "." in dnr.classification
            else f".{dnr.classification}"
        ),
    }


def format_dnr(dnr: Dnr) -> str:
    """The family's canonical spelling, e.g. "HV 2019/272-3", "1.2.4-346-2019"."""
    family = FAMILIES_BY_NAME.get(dnr.family)
    if dnr.family == OTHER and dnr.text:
        return dnr.text
    if family is None:
        raise DnrError(f"Okänd diarienummerform ”{dnr.family}”.")
    return family.template.format(**_template_fields(dnr))


# --- Parsing one number ----------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-")
_KEYWORD = re.compile(
    r"(?:(?:vårt|ert|vår|er|our|your)\s+)?"
    r"(?:dnr|d\.\s?nr|diarienummer|diarienr|diarie\s?nr|ärendenummer|ärende\s?nr|ärende|"
    r"diarieförd\w*|diarieförts(?:\s+på)?)"
    r"(?![^\W\d_])\s*\.?\s*:?\s*(?:nr(?![^\W\d_])\.?\s*)?",
    re.IGNORECASE,
)
# OCR reads 0 as O/o and 1 as l/I/|. Repair only where the glyph touches digits and does not
# belong to a word, so a prefix like "KFI" survives.
_OCR_DIGIT = re.compile(
    r"(?<=[0-9])[OoIl|]|(?<=[0-9][/.:-])[OoIl|]|(?<![^\W\d_])[OoIl|](?=[/.:-]?[0-9])"
)
_OCR_MAP = str.maketrans("OoIl|", "00111")
_PREFIX_SPLIT = re.compile(r"([^\W\d_]+)[ /-]?([0-9].*)")


def _repair_digits(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _OCR_DIGIT.sub(lambda m: m.group().translate(_OCR_MAP), text, count=1)
    return text


def _normalise(text: str) -> tuple[str, bool]:
    """Bring a typed number to the spelling the family patterns read: "PREFIX rest" with no
    spaces around separators. Returns it and whether a dnr word stood in front."""
    s = unicodedata.normalize("NFKC", text).translate(_DASHES)
    s = " ".join(s.split()).strip("([ ").rstrip(".,;:)] ")
    keyword = _KEYWORD.match(s)
    if keyword:
        s = s[keyword.end() :].strip("([ ")
    s = _repair_digits(s)
    s = re.sub(r"\s*([/:.-])\s*", r"\1", s)
    split = _PREFIX_SPLIT.fullmatch(s)
    if split:
        s = f"{split.group(1).upper()} {split.group(2)}"
    return s, keyword is not None


def parse_dnr(text: str, *, default_prefix: str | None = None) -> Dnr:
    """Read one diarienummer typed in any common spelling; the whole text must be the number.

    ``default_prefix`` is the series of a number written without prefix ("2019/272" on a
    Hässelby-Vällingby page is "HV 2019/272").
    """
    if not isinstance(text, str) or not text.strip():
        raise DnrError("Diarienumret är tomt.")
    if len(text) > 80:
        raise DnrError(f"Känner inte igen diarienumret ”{text[:40]}…”.")
    normalised, keyword = _normalise(text)
    for family in FAMILIES:
        match = _COMPILED[family.name][0].fullmatch(normalised)
        if match is None:
            continue
        groups = match.groupdict()
        dnr = _make_dnr(family, groups, sep=groups.get("sep"), keyword=keyword)
        if dnr is not None:
            if default_prefix and dnr.prefix is None and dnr.family in (PREFIX, NUMBER_YEAR):
                dnr = replace(dnr, prefix=default_prefix.strip().upper())
            return dnr
    raise DnrError(f"Känner inte igen diarienumret ”{text.strip()}”.")


def try_parse_dnr(text: str, *, default_prefix: str | None = None) -> Dnr | None:
    try:
        return parse_dnr(text, default_prefix=default_prefix)
    except DnrError:
        return None


def looks_like_dnr(text: str) -> bool:
    """For a search box: is the query a dnr (any spelling, prefix-less "2019/272" too)?"""
    return try_parse_dnr(text) is not None


def _looks_like_year(digits: str) -> bool:
    return len(digits) == 4 and digits[0] != "0" and 1900 <= int(digits) <= 2099


def _canonical_class(text: str) -> str:
    return ".".join(str(int(level)) for level in text.rstrip(".").split("."))


def _make_dnr(
    family: FormatFamily, groups: dict[str, str | None], *, sep: str | None, keyword: bool
) -> Dnr | None:
    """Build the Dnr from captured parts, or None when the shape is a known look-alike."""
    number_text = groups["number"] or ""
    year_text = groups["year"] or ""
    number = int(number_text)
    if number < 1:
        return None
    if len(year_text) == 2:
        year = int(year_text)
        year += 2000 if year < 70 else 1900
    else:
        year = int(year_text)
        if not 1900 <= year <= 2099:
            return None
    prefix = groups.get("prefix")
    if prefix is not None:
        prefix = prefix.upper()
        if prefix in NOT_PREFIXES:
            return None
    classification = groups.get("classification")
    document = groups.get("document")
    suffix = groups.get("suffix")
    dotted_suffix = groups.get("dsuffix")

    if family.name == PREFIX:
        if sep == ":" and prefix is None and not keyword:
            return None  # "2009:400" is an SFS number, "(2014:9)" a motion
        if sep == "." and prefix is None:
            return None  # "2017.12" is a decimal or a version
        if sep == "-":
            if document is not None and len(number_text) <= 2 and number <= 12:
                if 1 <= int(document) <= 31:
                    return None  # 2019-05-22 is a date
            if prefix is None and len(number_text) < 3:
                return None  # "2019-05" is May 2019
            if prefix is None and _looks_like_year(number_text) and year < number <= year + 15:
                return None  # "2015-2018" is a period
        if suffix is not None or dotted_suffix is not None:
            if prefix is None or (dotted_suffix is not None and sep == "."):
                return None
            classification = _canonical_class(suffix) if suffix else dotted_suffix
    elif family.name == NUMBER_YEAR:
        if len(year_text) == 2 and prefix is None and len(number_text) < 3:
            return None  # "12/19" is a date; Göteborg pads its löpnummer ("0123/19")
    elif family.name == NUMBER_DASH_YEAR and _looks_like_year(number_text):
        return None  # "2015-2018" is a period
    elif classification is not None and family.name != TRAFIK and "." in classification:
        classification = _canonical_class(classification)
    return Dnr(
        family=family.name,
        year=year,
        number=number,
        prefix=prefix,
        classification=classification,
        document=int(document) if document is not None else None,
    )


# --- Spellings people type -------------------------------------------------------------------


def dnr_variants(dnr: Dnr) -> list[str]:
    """Spellings of the same case that people type, canonical first. All parse to ``dnr.key``
    (prefix-less ones given ``default_prefix=dnr.prefix``)."""
    case = dnr.case_dnr
    fields = _template_fields(case)
    y, n, p = fields["year"], fields["number"], case.prefix
    variants = [case.key]
    if dnr.document is not None:
        variants.append(dnr.display)
    if case.family == PREFIX:
        padded = f"{case.number:04d}"
        if p:
            variants += [
                f"{p}{y}/{n}",
                f"{p.lower()} {y}/{n}",
                f"{p}-{y}-{n}",
                f"{p} {y}-{n}",
                f"{p} {y}/{padded}",
                f"{p} {y} / {n}",
                f"{p}/{y}/{n}",
                f"{p} {y}\u2013{n}",
                f"Dnr {p} {y}/{n}",
            ]
        variants += [f"{y}/{n}", f"{y}/{padded}", f"Dnr {y}/{n}"]
    elif case.family == NUMBER_YEAR:
        number = fields["number_not_year"]
        prefixed = (
            [f"{p} {number}/{y}", f"{p}{number}/{y}", f"{p.lower()} {number}/{y}"] if p else []
        )
        variants += prefixed + [f"{number}/{y}", f"Dnr {number}/{y}"]
    elif case.family == TRAFIK:
        c = case.classification
        variants += [
            f"T{y}-{c}-{fields['number5']}",
            f"T {y}-{c}-{n}",
            f"t {y}-{c}-{fields['number5']}",
            f"T-{y}-{c}-{fields['number5']}",
            f"T {y}\u2013{c}\u2013{fields['number5']}",
        ]
    else:
        canonical = case.key
        variants += [
            canonical.replace("-", " - "),
            canonical.replace("-", "\u2013"),
            f"Dnr {canonical}",
            f"dnr: {canonical}",
        ]
        if case.family in (CLASS_NUMBER_YEAR, CLASS_NUMBER_SLASH_YEAR, CODE_NUMBER_SLASH_YEAR):
            c, rest = canonical.split("-", 1)
            variants.append(f"{c}-{case.number:03d}{rest[len(n) :]}")
    seen: dict[str, None] = {}
    for variant in variants:
        seen.setdefault(variant, None)
    return list(seen)


def near_miss_keys(dnr: Dnr, known_prefixes: Iterable[str]) -> tuple[str, ...]:
    """Keys the number may have been meant as when its prefix is a typo of a known one:
    "VH 2019/254" -> ("HV 2019/254",). One swap of neighbouring letters, one wrong, missing or
    extra letter. Empty when the prefix is known or absent (nothing to correct). Sorted."""
    known = {p.strip().upper() for p in known_prefixes if p and p.strip()}
    if dnr.prefix is None or dnr.prefix.upper() in known:
        return ()
    typed = dnr.prefix.upper()
    keys = {
        replace(dnr.case_dnr, prefix=candidate).key
        for candidate in known
        if _one_edit_apart(typed, candidate)
    }
    return tuple(sorted(keys))


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = (diff + [0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
