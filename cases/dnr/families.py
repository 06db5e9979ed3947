"""Diarienummer format families: how Stockholm's boards (and their neighbours) write a dnr.

Data, not code: each ``FormatFamily`` names its parts in order (``grammar._PIECES`` compiles
them), gives the canonical spelling and says where and when the form is known.
"""

from __future__ import annotations

from dataclasses import dataclass

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
