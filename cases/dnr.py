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
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

__all__ = [
    "FAMILIES",
    "NOT_PREFIXES",
    "OUTSIDE_AUTHORITIES",
    "RELATIONS",
    "STOCKHOLM_BOARDS",
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


class DnrError(ValueError):
    """A text that is not one diarienummer; the message is Swedish."""


# --- Format families -------------------------------------------------------------------------

PREFIX = "prefix"
NUMBER_YEAR = "number/year"
CLASS_NUMBER_YEAR = "class-number-year"
CLASS_NUMBER_SLASH_YEAR = "class-number/year"
CODE_NUMBER_SLASH_YEAR = "code-number/year"
YEAR_NUMBER_CLASS = "year-number-class"
CLASS_NUMBER_YY = "class-number-yy"
TRAFIK = "trafik"


@dataclass(frozen=True)
class FormatFamily:
    """One way of writing a dnr.

    ``pieces`` name the parts in order (see ``_PIECES``); the groups they capture say which
    part is prefix, classification, year and löpnummer. ``template`` formats it back (fields
    from ``_template_fields``). ``needs_context``: in running text, accept the number only
    when a dnr word, a dnr list or a dnr table column vouches for it, because the bare shape
    is also common for other things.
    """

    name: str
    pieces: tuple[str, ...]
    template: str
    example: str
    used_by: str
    needs_context: bool = False


FAMILIES: tuple[FormatFamily, ...] = (
    # Before PREFIX: "T 2011-250-02217" would otherwise read as prefix T, year 2011, no. 250.
    FormatFamily(
        TRAFIK,
        ("T", "year", "-", "code", "-", "number"),
        "T {year}-{classification}-{number5}",
        "T 2011-250-02217",
        "Trafikkontoret/Trafiknämnden före eDok: år, diarieplanskod, löpnummer",
    ),
    FormatFamily(
        PREFIX,
        ("prefix?", "year", "sep", "number", "doc?", "class?"),
        "{p}{year}/{number}{doc}{cls}",
        "HV 2019/272-3",
        "eDok (Stockholm från 2018–2019) och de flesta kommuner: KS 2019/123, KSN-2019-0123",
        needs_context=True,  # only without prefix: "2019/272" is also a season, a table cell
    ),
    FormatFamily(
        NUMBER_YEAR,
        ("prefix?", "number", "/", "year|yy"),
        "{p}{number_not_year}/{year}",
        "Ks 123/2019",
        "löpnummer före år, t.ex. Örebro (Ks 123/2019), Göteborg (0123/19)",
        needs_context=True,
    ),
    FormatFamily(
        CLASS_NUMBER_YEAR,
        ("class", "-", "number", "-", "year"),
        "{classification}-{number}-{year}",
        "1.2.4-346-2019",
        "stadsdelsförvaltningar före eDok (Hässelby-Vällingby 1.2.4 = medborgarförslag)",
    ),
    FormatFamily(
        CLASS_NUMBER_SLASH_YEAR,
        ("class", "-", "number", "/", "year"),
        "{classification}-{number}/{year}",
        "3.1.1-12/2018",
        "Socialförvaltningen",
    ),
    FormatFamily(
        CODE_NUMBER_SLASH_YEAR,
        ("code", "-", "number", "/", "year"),
        "{classification}-{number}/{year}",
        "312-410/2013",
        "Kommunstyrelsen (stadsledningskontoret) före eDok",
    ),
    FormatFamily(
        YEAR_NUMBER_CLASS,
        ("year", "-", "number", "-", "class"),
        "{year}-{number}-{classification}",
        "2012-207-1.2.4",
        "äldre stadsdelsförvaltningar",
    ),
    FormatFamily(
        CLASS_NUMBER_YY,
        ("code", "-", "number", "-", "yy"),
        "{classification}-{number}-{yy}",
        "101-188-05",
        "äldre förvaltningar, tvåsiffrigt år",
        needs_context=True,  # "123-45-67" could be anything
    ),
)

FAMILIES_BY_NAME = {family.name: family for family in FAMILIES}

# Board prefixes never look like these: legal series, court reports, standards, units, common
# upper-case words in headings. Without this "SOU 2018:47" and "EU 2016/679" would be dnr.
NOT_PREFIXES = frozenset(
    """
    AB AD AFS AML AR ARB BET BFS BIL BILAGA BRB BUDGET CA CELEX COM DIR DNR DS EEG EES EG EN
    EU EUR FB FEK FN FS GDPR HB HFD HSLF HT IEC ISBN ISO ISSN JK JO KAP KIFS KL KOM KR KSFS
    LAS LOU LSS LVFS LVM LVU MD MKR MSBFS MÖD NFS NJA NR OSL PBL PM PROP RF RH RSKR RÅ SCB SEK
    SFS SIDA SKL SKOLFS SKR SOL SOSFS SOU SS ST TF TKR TSFS TU USD VT YGL
    """.split()
)

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
    "/": ("/", rf"{_GAP}/{_GAP}"),
    "-": ("-", rf"{_GAP}{_DASH}{_GAP}"),
    "sep": (r"(?P<sep>[/:.-])", rf"(?:{_GAP}(?P<sep>[/:]|{_DASH}){_GAP}|(?P<dot>\.))"),
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

    @property
    def key(self) -> str:
        """The case's canonical spelling: document number left out, and in the prefix family
        a trailing classification ("KS 2019/00123-1.2.3") too, since the number alone names
        the case."""
        case = self.case_dnr
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


# --- Boards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardInfo:
    """What the dnr engine knows about a board; passed in as data (the register keeps the
    configured prefixes in the database)."""

    name: str
    short_name: str
    prefixes: tuple[str, ...]
    names: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.short_name, *self.names)))


def _district(short: str, genitive: str | None = None, prefixes: tuple[str, ...] = ()) -> BoardInfo:
    genitive = genitive or short
    formats = (PREFIX, CLASS_NUMBER_YEAR) if prefixes else ()
    return BoardInfo(
        name=f"{genitive} stadsdelsnämnd",
        short_name=short,
        prefixes=prefixes,
        names=(f"{genitive} stadsdelsförvaltning", f"{short} stadsdelsnämnd"),
        formats=formats,
    )


# Only HV and KS are confirmed eDok prefixes (DOMAIN.md); T is Trafikkontoret's old form.
# Registrators configure the others, so none are invented here.
STOCKHOLM_BOARDS: tuple[BoardInfo, ...] = (
    _district("Bromma"),
    _district("Enskede-Årsta-Vantör", "Enskede-Årsta-Vantörs"),
    _district("Farsta"),
    _district("Hägersten-Älvsjö"),
    _district("Hässelby-Vällingby", prefixes=("HV",)),
    _district("Järva"),
    _district("Kungsholmen", "Kungsholmens"),
    _district("Norra innerstaden", "Norra innerstadens"),
    _district("Skarpnäck", "Skarpnäcks"),
    _district("Skärholmen", "Skärholmens"),
    _district("Södermalm", "Södermalms"),
    _district("Rinkeby-Kista"),
    _district("Spånga-Tensta"),
    _district("Norrmalm", "Norrmalms"),
    _district("Östermalm", "Östermalms"),
    _district("Hägersten-Liljeholmen", "Hägersten-Liljeholmens"),
    _district("Älvsjö"),
    BoardInfo(
        "Socialnämnden",
        "Socialnämnden",
        (),
        ("Socialnämnd", "Socialförvaltning", "SoF"),
        (CLASS_NUMBER_SLASH_YEAR,),
    ),
    BoardInfo("Trafiknämnden", "Trafiknämnden", ("T",), ("Trafiknämnd", "Trafikkontor"), (TRAFIK,)),
    BoardInfo(
        "Stadsbyggnadsnämnden",
        "Stadsbyggnadsnämnden",
        (),
        ("Stadsbyggnadsnämnd", "Stadsbyggnadskontor"),
    ),
    BoardInfo(
        "Exploateringsnämnden",
        "Exploateringsnämnden",
        (),
        ("Exploateringsnämnd", "Exploateringskontor"),
    ),
    BoardInfo(
        "Fastighetsnämnden", "Fastighetsnämnden", (), ("Fastighetsnämnd", "Fastighetskontor")
    ),
    BoardInfo("Kulturnämnden", "Kulturnämnden", (), ("Kulturnämnd", "Kulturförvaltning")),
    BoardInfo("Idrottsnämnden", "Idrottsnämnden", (), ("Idrottsnämnd", "Idrottsförvaltning")),
    BoardInfo("Äldrenämnden", "Äldrenämnden", (), ("Äldrenämnd", "Äldreförvaltning")),
    BoardInfo(
        "Utbildningsnämnden",
        "Utbildningsnämnden",
        (),
        ("Utbildningsnämnd", "Utbildningsförvaltning"),
    ),
    BoardInfo(
        "Arbetsmarknadsnämnden",
        "Arbetsmarknadsnämnden",
        (),
        ("Arbetsmarknadsnämnd", "Arbetsmarknadsförvaltning"),
    ),
    BoardInfo(
        "Miljö- och hälsoskyddsnämnden",
        "Miljö- och hälsoskyddsnämnden",
        (),
        ("Miljö- och hälsoskyddsnämnd", "Miljöförvaltning"),
    ),
    BoardInfo("Servicenämnden", "Servicenämnden", (), ("Servicenämnd", "Serviceförvaltning")),
    BoardInfo("Stadsrevisionen", "Stadsrevisionen", (), ("Revisionskontor",)),
    BoardInfo(
        "Kommunstyrelsen",
        "Kommunstyrelsen",
        ("KS",),
        ("Kommunstyrelse", "Stadsledningskontor", "SLK"),
        (PREFIX, CODE_NUMBER_SLASH_YEAR),
    ),
    BoardInfo("Kommunfullmäktige", "Kommunfullmäktige", (), ("Kommunfullmäktige",)),
)


def _fold(text: str) -> str:
    """Lower case without diacritics or punctuation, for comparing board labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


# How OCR renders the Swedish letters in the seeds (OCR.md): ä/å as a, d, i, é, &, 4 or two
# glyphs ("id", "ia"); ö as o, é, 6, d, g, 0.
_OCR_AA = "[aåäàáâãdiéèê&4@#]{1,2}"
_OCR_OO = "[oöóòôõdéèêg60]{1,2}"


def ocr_phrase_regex(phrase: str) -> str:
    """A case-insensitive regex for a Swedish phrase as OCR may have spelled it. ``*`` stands
    for any word ending ("överlämna*" matches överlämnas, överlämnades)."""
    out = []
    for ch in phrase:
        low = ch.lower()
        if low in "åäé":
            out.append(_OCR_AA)
        elif low == "ö":
            out.append(_OCR_OO)
        elif ch in " -":
            out.append(r"[\s\-\u2010-\u2015]*")
        elif ch == "*":
            out.append(r"\w*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@dataclass(frozen=True)
class _Catalogue:
    boards: tuple[BoardInfo, ...]
    by_prefix: dict[str, BoardInfo]
    by_label: dict[str, BoardInfo]
    family_owner: dict[str, BoardInfo]
    names: re.Pattern[str] | None
    name_board: dict[str, BoardInfo] = field(default_factory=dict)


@functools.lru_cache(maxsize=32)
def _catalogue(boards: tuple[BoardInfo, ...]) -> _Catalogue:
    by_prefix: dict[str, BoardInfo] = {}
    by_label: dict[str, BoardInfo] = {}
    users: dict[str, list[BoardInfo]] = {}
    alternatives = []
    name_board: dict[str, BoardInfo] = {}
    for index, board in enumerate(boards):
        for prefix in board.prefixes:
            by_prefix.setdefault(prefix.strip().upper(), board)
        for label in (*board.forms, *board.prefixes):
            by_label.setdefault(_fold(label), board)
        for family_name in board.formats:
            users.setdefault(family_name, []).append(board)
        # Forms of one or two letters ("KF") would fire on ordinary words; longer forms take
        # any ending (genitive -s, definite -en) through the glue that follows them.
        forms = sorted(board.forms, key=len, reverse=True)
        body = "|".join(ocr_phrase_regex(form) for form in forms if len(form) >= 3)
        if body:
            group = f"b{index}"
            name_board[group] = board
            alternatives.append(f"(?P<{group}>{body})")
    pattern = (
        re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})", re.IGNORECASE) if alternatives else None
    )
    owner = {name: found[0] for name, found in users.items() if len(found) == 1}
    return _Catalogue(boards, by_prefix, by_label, owner, pattern, name_board)


# --- Finding numbers in text -----------------------------------------------------------------


@dataclass(frozen=True)
class DnrMatch:
    """A dnr found in text; ``text[start:end] == raw``."""

    raw: str
    start: int
    end: int
    dnr: Dnr
    board: str | None
    relation: str | None


# URLs and e-mail addresses, whose digits are never dnr. Bounded and anchored at token starts
# so a long run of dashes or dotted digits cannot make the search quadratic.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]{1,500}"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|(?<![\w/.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
    r"\.(?:se|com|org|net|nu|eu|gov|pdf|html?|aspx?|docx?)(?:/[^\s<>\"]{0,500})?(?!\w)",
    re.IGNORECASE,
)
# Words that announce a dnr, as OCR may have spelled them ("drende nr", "diarieférts pd").
_DNR_WORD = "|".join(
    (
        r"dnr",
        r"d\.\s?nr",
        r"diarienummer",
        r"diarienr",
        r"diarie\s?nr",
        ocr_phrase_regex("ärendenummer"),
        ocr_phrase_regex("ärende nr"),
        ocr_phrase_regex("ärende") + r"(?!\w)",
        ocr_phrase_regex("diarieför*") + r"(?:\s+(?:" + ocr_phrase_regex("på") + r"|under|som))?",
    )
)
# A dnr word right before the number ("Dnr:", "vårt dnr", "diarieförts på"), with nothing in
# between but punctuation and a line break.
_KEYWORD_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:{_DNR_WORD})\s*\.?\s*:?\s*(?:nr\.?\s*)?[(\[]?\s*$", re.IGNORECASE
)
# Between a board's name and its number: the rest of the word (genitive -s, definite -en) and
# a few linking words. Kept tight so a name earlier in the sentence does not claim the number.
_GLUE_WORDS = "|".join(
    (
        _DNR_WORD,
        r"nr|med|har|under|beteckning|referens|ref",
        ocr_phrase_regex("stadsdels*"),
        ocr_phrase_regex("nämnd*"),
        ocr_phrase_regex("förvaltning*"),
    )
)
_BOARD_GLUE = re.compile(
    rf"(?::s)?\w*(?:[\s,.:;()\[\]\-\u2010-\u2015]|(?<![^\W\d_])(?:{_GLUE_WORDS})(?![^\W\d_]))*",
    re.IGNORECASE,
)
# Between two numbers of one list: "HV 2019/272, HV 2019/259 samt HV 2019/19".
_LIST_GLUE = re.compile(
    r"\s*(?:[,;&+/]\s*(?:och|samt|eller)?|och|samt|resp\.?|respektive|eller)\s*"
    rf"(?:(?:{_DNR_WORD})\s*\.?\s*:?\s*)?",
    re.IGNORECASE,
)
# Signs a bare number is not a dnr even next to a dnr word: detaljplan (S-Dp 2004-10231-54).
_NOT_DNR_BEFORE = re.compile(r"(?<![^\W\d_])(?:S-)?Dp\.?\s*$|§\s*$", re.IGNORECASE)
_TABLE_HEADER = re.compile(r"[ \t|]*(?:dnr|diarienummer|diarienr)\b[^0-9\n]*$", re.IGNORECASE)
_ORPHAN_PREFIX = re.compile(r"[ \t|]*(?P<prefix>[A-ZÅÄÖ]{1,6})[ \t]+(?![0-9])\S")

RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("besvarar-aven", ("besvarar även", "besvaras även", "besvarar också", "besvaras också")),
    ("remiss-fran", ("remiss från", "remissen från", "remiss ifrån", "remitterat från")),
    ("svar-pa", ("svar på", "besvarande av")),
    ("for-kannedom", ("för kännedom", "för information")),
    ("overlamnat-till", ("överlämna* till", "översän* till")),
)
_RELATION = re.compile(
    "|".join(
        f"(?P<r{index}>(?<![^\\W\\d_])(?:{'|'.join(ocr_phrase_regex(p) for p in phrases)}))"
        for index, (_name, phrases) in enumerate(RELATIONS)
    ),
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<![Dd]nr)(?<!nr)[.!?]\s+[A-ZÅÄÖ]|\n[ \t]*\n")


# Authorities outside the municipality whose numbers appear in agendas ("Beslut från IVO, dnr
# 8.5-12345/2019"): named right before a number, they keep it from being credited to a board
# by its form.
OUTSIDE_AUTHORITIES = (
    "Inspektionen för vård och omsorg",
    "IVO",
    "Socialstyrelsen",
    "Justitieombudsmannen",
    "JO",
    "Justitiekanslern",
    "Länsstyrelsen",
    "Skolinspektionen",
    "Datainspektionen",
    "Integritetsskyddsmyndigheten",
    "IMY",
    "Polismyndigheten",
    "Polisen",
    "Migrationsverket",
    "Försäkringskassan",
    "Arbetsmiljöverket",
    "Trafikverket",
    "Boverket",
    "Naturvårdsverket",
    "Region Stockholm",
    "Stockholms läns landsting",
    "SLL",
    "Förvaltningsrätten",
    "Kammarrätten",
    "Mark- och miljödomstolen",
    "Regeringen",
    "Regeringskansliet",
    "Sveriges Kommuner och Regioner",
    "SKR",
    "SKL",
    "Skatteverket",
    "Kronofogden",
    "Lantmäteriet",
)
_OUTSIDE_NAMES = re.compile(
    r"(?<!\w)(?:\w*departement|"
    + "|".join(
        ocr_phrase_regex(name) for name in sorted(OUTSIDE_AUTHORITIES, key=len, reverse=True)
    )
    + ")",
    re.IGNORECASE,
)
_OUTSIDE = BoardInfo("utomstående myndighet", "utomstående myndighet", ())


@dataclass
class _Candidate:
    start: int
    end: int
    family: FormatFamily
    groups: dict[str, str | None]


@dataclass
class _Found:
    match: DnrMatch
    board: BoardInfo | None
    label: str | None


def find_dnrs(
    text: str,
    *,
    board: str | None = None,
    boards: Iterable[BoardInfo] = STOCKHOLM_BOARDS,
) -> list[DnrMatch]:
    """Every dnr in ``text``, in order, with exact spans.

    ``board`` names the board whose document it is (short name, name or prefix): numbers
    without prefix and in classification forms are that board's unless the words around say
    otherwise ("Remiss från Kommunstyrelsen, dnr …", "Socialförvaltningens dnr …"), a prefix
    names another board, or the form is one only another board uses.
    """
    if not text:
        return []
    return _Finder(text, _catalogue(tuple(boards)), board).run()


class _Finder:
    def __init__(self, text: str, catalogue: _Catalogue, board: str | None) -> None:
        self.text = text
        self.catalogue = catalogue
        self.own_board = catalogue.by_label.get(_fold(board)) if board else None
        # A board the catalogue does not describe (another municipality) keeps its label, and
        # the catalogue's family owners do not apply to its documents.
        self.own_label = self.own_board.short_name if self.own_board else board
        self.foreign = bool(board) and self.own_board is None
        self.urls = [m.span() for m in _URL.finditer(text)]

    def run(self) -> list[DnrMatch]:
        accepted: list[_Found] = []
        last_end = -1
        for candidate in sorted(self._candidates(), key=lambda c: (c.start, c.start - c.end)):
            if candidate.start < last_end or self._in_url(candidate):
                continue
            found = self._judge(candidate, accepted[-1] if accepted else None)
            if found is not None:
                accepted.append(found)
                last_end = candidate.end
        return [found.match for found in accepted]

    def _candidates(self) -> list[_Candidate]:
        candidates = []
        for family in FAMILIES:
            for m in _COMPILED[family.name][1].finditer(self.text):
                groups = m.groupdict()
                if groups.get("dot"):
                    groups["sep"] = "."
                candidates.append(_Candidate(m.start(), m.end(), family, groups))
                # The prefix may be a false one ("EU 2016/679", "SOU 2018:47"): judge the rest
                # on its own too.
                if groups.get("prefix") is None or family.name == TRAFIK:
                    continue
                number_start = m.end("psep")
                if not _glued(self.text, number_start):
                    bare = dict(groups, prefix=None, psep=None)
                    candidates.append(_Candidate(number_start, m.end(), family, bare))
        return candidates

    def _in_url(self, candidate: _Candidate) -> bool:
        # URL spans come from one finditer: sorted and disjoint, so only the last one that
        # starts before the candidate's end can overlap it.
        index = bisect.bisect_left(self.urls, (candidate.end, -1)) - 1
        return index >= 0 and self.urls[index][1] > candidate.start

    def _judge(self, c: _Candidate, previous: _Found | None) -> _Found | None:
        """Accept one candidate as a dnr, with its board and relation, or refuse it.
        ``previous`` is the last accepted number, which this one may continue as a list."""
        text = self.text
        groups = c.groups
        before = text[max(0, c.start - 80) : c.start]
        if _NOT_DNR_BEFORE.search(before):
            return None
        keyword = bool(_KEYWORD_BEFORE.search(before))
        listed = (
            previous is not None
            and c.start - previous.match.end <= 30
            and _LIST_GLUE.fullmatch(text, previous.match.end, c.start) is not None
        )
        prefix_text = groups.get("prefix")
        known_board = None
        if prefix_text is not None:
            known_board = self.catalogue.by_prefix.get(prefix_text.upper())
            # Trafikkontoret's shape is distinctive enough on its own, whatever the catalogue.
            unknown = known_board is None and c.family.name != TRAFIK
            if unknown and not self._unknown_prefix_ok(c, keyword or listed):
                return None
        sep = groups.get("sep")
        if sep is not None and re.fullmatch(_DASH, sep):
            sep = "-"
        dnr = _make_dnr(c.family, groups, sep=sep, keyword=keyword)
        if dnr is None:
            return None

        table_prefix = None
        needs_context = c.family.needs_context and (
            prefix_text is None or (known_board is None and c.family.name == NUMBER_YEAR)
        )
        if c.family.name == CLASS_NUMBER_YY:
            needs_context = True
        if needs_context and not (keyword or listed):
            table = self._table_context(c)
            if table is None:
                return None
            table_prefix = table or None
        if c.family.name == PREFIX and prefix_text is None and not keyword and not listed:
            if sep in (":", "."):
                return None

        board, label = self._attribute(
            c, dnr, known_board, previous if listed else None, table_prefix
        )
        if dnr.family in (PREFIX, NUMBER_YEAR) and dnr.prefix is None:
            inherited = (
                previous.match.dnr.prefix
                if listed and previous is not None and previous.match.dnr.family == dnr.family
                else None
            )
            prefix = inherited or table_prefix or _series_prefix(board, dnr.family)
            if prefix:
                dnr = replace(dnr, prefix=prefix)

        relation = self._relation(c.start)
        if relation is None and listed and previous is not None:
            relation = previous.match.relation
        match = DnrMatch(text[c.start : c.end], c.start, c.end, dnr, label, relation)
        return _Found(match, board, label)

    def _attribute(
        self,
        c: _Candidate,
        dnr: Dnr,
        known_board: BoardInfo | None,
        list_head: _Found | None,
        table_prefix: str | None,
    ) -> tuple[BoardInfo | None, str | None]:
        """Whose number it is, strongest evidence first: a known prefix; a board (or an
        outside authority) named right before it; the list it continues; the table row's
        prefix; a form only one board uses; the document's own board."""
        if known_board is not None:
            return known_board, known_board.short_name
        named = self._named_board(c.start)
        if named is _OUTSIDE:
            return None, None
        if named is not None:
            return named, named.short_name
        if c.groups.get("prefix") is not None and c.family.name != TRAFIK:
            return None, None  # an unknown prefix ("VH", another municipality's "BUN")
        if list_head is not None and list_head.label is not None:
            # Only a list of one form: "HV 2019/272, 2019/259" but not "…, 3.1.1-12/2018".
            if list_head.match.dnr.family == dnr.family:
                return list_head.board, list_head.label
        if table_prefix is not None:
            board = self.catalogue.by_prefix.get(table_prefix)
            return board, board.short_name if board else None
        return self._default_board(dnr)

    def _unknown_prefix_ok(self, c: _Candidate, vouched: bool) -> bool:
        """A word in front of a year is only a board prefix when it looks like one: 2–5
        capitals (or "Kst", "Bn" next to a dnr word), not a legal series, on the same line,
        and not a school year, month or period."""
        prefix = c.groups["prefix"] or ""
        capitals = prefix.isupper() and 2 <= len(prefix) <= 5
        titled = vouched and prefix[:1].isupper() and 2 <= len(prefix) <= 4
        if not (capitals or titled) or prefix.upper() in NOT_PREFIXES:
            return False
        if "\n" in (c.groups.get("psep") or ""):
            return False
        if c.family.name != PREFIX:
            return vouched
        sep = c.groups.get("sep") or ""
        number = c.groups.get("number") or ""
        year = int(c.groups.get("year") or 0)
        if sep == ":" and not vouched and (c.groups.get("psep") or "").strip() not in ("/", "-"):
            return False  # "MÖD 2019:12" style court and series references
        if sep == "/" and not vouched:
            if len(number) == 2 and int(number) == (year + 1) % 100:
                return False  # "VT 2019/20": a school year
            if number.isdigit() and int(number) == year + 1:
                return False
        if sep not in ("/", ":", ".") and not vouched:
            if len(number) <= 2 and int(number) <= 12:
                return False  # "ABC 2019-05": a month
            if _looks_like_year(number):
                return False  # "LSS 2019-2022": a period
        return True

    def _table_context(self, c: _Candidate) -> str | None:
        """For a bare number starting a line: "" when a dnr column header stands above it,
        the prefix when the row's previous line starts with a known prefix (OCR splits
        "HV | 2019/148" over two lines), None otherwise."""
        text = self.text
        line_start = text.rfind("\n", 0, c.start) + 1
        if text[line_start : c.start].strip(" \t|") != "":
            return None
        lines = text[max(0, line_start - 1500) : max(0, line_start - 1)].split("\n")[-15:]
        non_blank = [line for line in lines if line.strip()]
        if non_blank:
            orphan = _ORPHAN_PREFIX.match(non_blank[-1])
            if orphan and orphan.group("prefix") in self.catalogue.by_prefix:
                return orphan.group("prefix")
        if any(_TABLE_HEADER.match(line) for line in lines):
            return ""
        return None

    def _named_board(self, start: int) -> BoardInfo | None:
        """The board named right before the number: "Remiss från kommunstyrelsen, dnr",
        "Trafiknämndens dnr", "Socialförvaltningens diarienummer"."""
        window_start = max(0, start - 90)
        named: list[tuple[int, BoardInfo | None]] = []
        if self.catalogue.names is not None:
            for m in self.catalogue.names.finditer(self.text, window_start, start):
                if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                    group = next(k for k, v in m.groupdict().items() if v is not None)
                    named.append((m.start(), self.catalogue.name_board[group]))
        for m in _OUTSIDE_NAMES.finditer(self.text, window_start, start):
            if _BOARD_GLUE.fullmatch(self.text, m.end(), start):
                named.append((m.start(), _OUTSIDE))
        # The nearest name wins: "Remiss från Socialstyrelsen till kommunstyrelsen, dnr …".
        return max(named, key=lambda item: item[0])[1] if named else None

    def _default_board(self, dnr: Dnr) -> tuple[BoardInfo | None, str | None]:
        own = self.own_board
        owner = self.catalogue.family_owner.get(dnr.family)
        if not self.foreign and owner is not None:
            # A form only one board uses is that board's, unless the document's own board
            # uses it too (or we know nothing of the document's board's forms).
            if own is None or (own.formats and dnr.family not in own.formats):
                return owner, owner.short_name
        return own, self.own_label

    def _relation(self, start: int) -> str | None:
        """What the sentence says the number is to this document, from the nearest phrase in
        front of it within the same sentence (at most one line break away)."""
        window_start = max(0, start - 120)
        best = None
        for m in _RELATION.finditer(self.text, window_start, start):
            between = self.text[m.end() : start]
            if between.count("\n") > 1 or _SENTENCE_END.search(between) or len(between) > 90:
                continue
            best = m
        if best is None:
            return None
        index = int(best.lastgroup[1:]) if best.lastgroup else 0
        return RELATIONS[index][0]


def _glued(text: str, position: int) -> bool:
    """Is the character before ``position`` part of a word (so the digits cannot stand alone)?"""
    return position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")


def _series_prefix(board: BoardInfo | None, family_name: str) -> str | None:
    """The prefix a board's numbers carry when written without it, if the board writes its
    numbers with a prefix in this family at all (Trafikkontoret's "T" is another form)."""
    if board is None or not board.prefixes:
        return None
    if board.formats and family_name not in board.formats:
        return None
    return board.prefixes[0].upper()
