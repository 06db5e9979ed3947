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
YEAR_NUMBER_CODE = "year-number-code"
NUMBER_YEAR_CLASS = "number-year-class"
CODE_NUMBER_YEAR = "code-number-year"
CODE_NUMBER_SLASH_YY = "code-number/yy"
CLASS_SLASH_NUMBER_YEAR = "class/number-year"
CLASS_SLASH_NUMBER_SLASH_YEAR = "class/number/year"
YY_CODE_SLASH_NUMBER = "yy-code/number"
NUMBER_DASH_YEAR = "number-year"
CODE_YY_NUMBER = "code-yy-number"
# Not a family: a number read after a dnr word that fits none of them ("2015/KS 0011 001");
# its key is its own tidied spelling.
OTHER = "annan"


@dataclass(frozen=True)
class FormatFamily:
    """One way of writing a dnr.

    ``pieces`` name the parts in order (see ``grammar._PIECES``); the groups they capture say
    which part is prefix, classification, year and löpnummer. ``template`` formats it back
    (fields from ``grammar._template_fields``). ``needs_context``: in running text, accept the
    number only when a dnr word, a dnr list, a dnr table column or a number of the same family
    announced with a dnr word in the same text vouches for it, because the bare shape is also
    common for other things. ``used_by`` and ``years`` say where and when the form is known
    (which board owns a form is ``boards.BoardInfo.formats``).
    """

    name: str
    pieces: tuple[str, ...]
    template: str
    example: str
    used_by: str
    needs_context: bool = False
    years: str = ""


# Order matters where two families read the same spelling: the first that fits wins.
FAMILIES: tuple[FormatFamily, ...] = (
    # Before PREFIX: "T 2011-250-02217" would otherwise read as prefix T, year 2011, no. 250.
    FormatFamily(
        TRAFIK,
        ("T", "year", "-", "code", "-", "number"),
        "T {year}-{classification}-{number5}",
        "T 2011-250-02217",
        "Trafikkontoret/Trafiknämnden: år, diarieplanskod, löpnummer",
        years="2010–2013",
    ),
    # Before PREFIX: "2007-367-531" is not document 531 of case 2007/367.
    FormatFamily(
        YEAR_NUMBER_CODE,
        ("year", "-", "number", "-", "code"),
        "{year}-{number}-{classification}",
        "2007-367-531",
        "Östermalm (2007-367-531), Miljöförvaltningen (2007-003114-101)",
        needs_context=True,
        years="2004–2012",
    ),
    FormatFamily(
        PREFIX,
        ("prefix?", "year", "sep", "number", "doc?", "class?"),
        "{p}{year}/{number}{doc}{cls}",
        "HV 2019/272-3",
        "eDok (Stockholm från 2018–2019) och de flesta kommuner: KS 2019/123, KSN-2019-0123; "
        "utan prefix Miljöförvaltningen 2011-1372",
        needs_context=True,  # only without prefix: "2019/272" is also a season, a table cell
        years="2011–",
    ),
    FormatFamily(
        NUMBER_YEAR,
        ("prefix?", "number", "/", "year|yy"),
        "{p}{number_not_year}/{year}",
        "Ks 123/2019",
        "löpnummer före år: Örebro (Ks 123/2019), Göteborg (0123/19), Äldrenämnden (1/2007)",
        needs_context=True,
    ),
    FormatFamily(
        CLASS_NUMBER_YEAR,
        ("class", "-", "number", "-", "year"),
        "{classification}-{number}-{year}",
        "1.2.4-346-2019",
        "stadsdelsförvaltningar (Hässelby-Vällingby, Kungsholmen; 1.2.4 = medborgarförslag)",
        years="2010–2019",
    ),
    FormatFamily(
        CLASS_NUMBER_SLASH_YEAR,
        ("class", "-", "number", "/", "year|yy"),
        "{classification}-{number}/{year}",
        "3.1.1-12/2018",
        "Socialförvaltningen (1.6-0543/2008), Skarpnäck (1.2.4.-196/12)",
        years="2008–2019",
    ),
    FormatFamily(
        CODE_NUMBER_SLASH_YEAR,
        ("code", "-", "number", "/", "year"),
        "{classification}-{number}/{year}",
        "312-410/2013",
        "Kommunstyrelsen (stadsledningskontoret), Socialtjänstnämnden (106-0412/2007), "
        "Farsta (311-234/2001), Äldrenämnden (106-305/2008)",
        years="2001–2017",
    ),
    FormatFamily(
        YEAR_NUMBER_CLASS,
        ("year", "-", "number", "-", "class"),
        "{year}-{number}-{classification}",
        "2012-207-1.2.4",
        "äldre stadsdelsförvaltningar",
        years="2011–2013",
    ),
    FormatFamily(
        CLASS_NUMBER_YY,
        ("code", "-", "number", "-", "yy"),
        "{classification}-{number}-{yy}",
        "101-188-05",
        "Kungsholmen (102-616-04), Naturvårdsverket (523-3732-10)",
        needs_context=True,  # "123-45-67" could be anything
        years="2002–2010",
    ),
    FormatFamily(
        NUMBER_YEAR_CLASS,
        ("number", "-", "year", "-", "code|class"),
        "{number_not_year}-{year}-{classification}",
        "121-2009-500",
        "Rinkeby-Kista, Hägersten-Liljeholmen (203-2008-100), Älvsjö (95-2006-102)",
        needs_context=True,
        years="2006–2012",
    ),
    FormatFamily(
        CODE_NUMBER_YEAR,
        ("code13", "-", "number", "-", "year"),
        "{classification}-{number}-{year}",
        "411-354-2013",
        "Idrottsnämnden (411-354-2013), Rinkeby-Kista (000-172-2007), 7-742-2011",
        needs_context=True,
        years="2006–2013",
    ),
    FormatFamily(
        CODE_NUMBER_SLASH_YY,
        ("code35", "-", "number", "/", "yy"),
        "{classification}-{number}/{yy}",
        "099-451/06",
        "stadsdelsförvaltningar (D nr 099 – 451 / 06)",
        needs_context=True,
        years="2004–2007",
    ),
    FormatFamily(
        CLASS_SLASH_NUMBER_YEAR,
        ("code13|class", "/", "number", "-", "year"),
        "{classification}/{number}-{year}",
        "002/023-2009",
        "Skärholmen (002/023-2009, 101/77-2008)",
        needs_context=True,
        years="2008–2013",
    ),
    FormatFamily(
        CLASS_SLASH_NUMBER_SLASH_YEAR,
        ("code13|class", "/", "number", "/", "year|yy"),
        "{classification}/{number}/{year}",
        "1.1/3296/2012",
        "Kulturnämnden (1.1/3296/2012), Idrottsnämnden (08.02.01/759/2015, 411/259/2014)",
        needs_context=True,
        years="2008–2021",
    ),
    FormatFamily(
        YY_CODE_SLASH_NUMBER,
        ("yy", "-", "code", "/", "number", "doc:?"),
        "{yy}-{classification}/{number}{docc}",
        "10-401/6460",
        "Utbildningsnämnden (10-401/6460; handling 2 skrivs 10-401/6460:2)",
        needs_context=True,
        years="2005–2010",
    ),
    FormatFamily(
        NUMBER_DASH_YEAR,
        ("number", "-", "year"),
        "{number_not_year}-{year}",
        "5529-2013",
        "Justitieombudsmannen (JO dnr 5529-2013)",
        needs_context=True,
    ),
    FormatFamily(
        CODE_YY_NUMBER,
        ("code34", "-", "yy", "-", "number3"),
        "{classification}-{yy}-{number_not_year}",
        "505-08-64515",
        "Länsstyrelsen i Stockholms län (505-07-26643, 505-08-64515)",
        needs_context=True,
        years="2007–2012",
    ),
)

FAMILIES_BY_NAME = {family.name: family for family in FAMILIES}

# The series of provisional numbers the importer gives a handling whose case number the pack
# does not name ("PREL 2022/1"): it belongs to every board and is never one of theirs.
PROVISIONAL_PREFIX = "PREL"

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
