"""The dnr grammar on short synthetic examples: every family, shapes read after a dnr word, the
never-a-dnr rules, who owns a number, and that no text makes the engine slow.

These are written for the tests (no third-party text) so CI checks the grammar even without
the development set in ``var/devset`` (see ``tests/dnr_devset/README.md``)."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.dnr import FAMILIES, OTHER, find_dnrs, parse_dnr

HV = "Hässelby-Vällingby"
MILJO = "Miljö- och hälsoskyddsnämnden"


def found(text, board=HV):
    return [(m.raw, m.dnr.key, m.board) for m in find_dnrs(text, board=board)]


# --- every family, announced and in a list --------------------------------------------------

FAMILY_EXAMPLES = {
    "trafik": ("T 2010-313-01743", "T 2010-313-01743"),
    "year-number-code": ("2007-367-531", "2007-367-531"),
    "prefix": ("HV 2019/272", "HV 2019/272"),
    "number/year": ("Ks 123/2019", "KS 123/2019"),
    "class-number-year": ("1.5.3-219-2012", "1.5.3-219-2012"),
    "class-number/year": ("1.2.4.-196/12", "1.2.4-196/2012"),
    "code-number/year": ("316-259/2012", "316-259/2012"),
    "year-number-class": ("2012-207-1.2.4", "2012-207-1.2.4"),
    "class-number-yy": ("102-274-04", "102-274-04"),
    "number-year-class": ("203-2008-1.5.2", "203-2008-1.5.2"),
    "code-number-year": ("7-742-2011", "7-742-2011"),
    "code-number/yy": ("099 – 451 / 06", "099-451/06"),
    "class/number-year": ("002/023-2009", "002/23-2009"),
    "class/number/year": ("08.02.01/759/2015", "8.2.1/759/2015"),
    "yy-code/number": ("10-401/6460", "10-401/6460"),
    "number-year": ("5529-2013", "5529-2013"),
    "code-yy-number": ("505-08-64515", "505-08-64515"),
}


def test_every_family_has_a_synthetic_example():
    assert sorted(FAMILY_EXAMPLES) == sorted(family.name for family in FAMILIES)


@pytest.mark.parametrize(("family", "example"), sorted(FAMILY_EXAMPLES.items()))
def test_find_dnrs_reads_every_family_after_a_dnr_word(family, example):
    raw, key = example

    [match] = find_dnrs(f"Ärendet gäller bygglov.\nDnr {raw}\nHandläggare: A. Berg", board=HV)

    assert (match.raw, match.dnr.key, match.dnr.family) == (raw, key, family)
    assert parse_dnr(match.dnr.key) == match.dnr.case_dnr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dnr 7-742-2011 och 5-744-2011", ["7-742-2011", "5-744-2011"]),
        ("Dnr 454-2008-000, 274-2008-000", ["454-2008-000", "274-2008-000"]),
        ("Dnr: 1.2.4.-196/12, 1.2.4.-197/12", ["1.2.4.-196/12", "1.2.4.-197/12"]),
    ],
)
def test_find_dnrs_reads_every_number_of_a_list_after_one_dnr_word(text, expected):
    assert [m.raw for m in find_dnrs(text, board=HV)] == expected


def test_find_dnrs_reads_a_bare_number_of_a_shape_the_text_announced_with_a_dnr_word():
    text = "4 Tertialrapport. Dnr 2007-367-531.\n5 Yttrande.\n2007-682-022 Omedelbar justering"

    assert [m.raw for m in find_dnrs(text, board="Östermalm")] == ["2007-367-531", "2007-682-022"]


def test_find_dnrs_leaves_a_bare_number_of_an_unannounced_shape():
    assert find_dnrs("Ombyggnad enligt plan 2007-682-022.", board="Östermalm") == []


# --- any shape after a dnr word ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "key", "family"),
    [
        ("Dnr 2015/KS 0246 11\n", "2015/KS 0246 11", "2015/KS 0246 11", OTHER),
        ("Diarienummer 2024/KS 0038 001\n", "2024/KS 0038 001", "2024/KS 0038 001", OTHER),
        ("Dnr KSM 2018-702-251\n", "KSM 2018-702-251", "KSM 2018/702", "prefix"),
        ("DNR:0402-170/2012\n", "0402-170/2012", "0402-170/2012", OTHER),
        ("Dnr60902-188/13 Handläggare", "60902-188/13", "60902-188/13", "code-number/yy"),
        ("(D nr 099 – 451 / 06)", "099 – 451 / 06", "099-451/06", "code-number/yy"),
        ("Dnr: 5.4.-591/12.", "5.4.-591/12", "5.4-591/2012", "class-number/year"),
        ("Dnr 10-401/6460:2\n", "10-401/6460:2", "10-401/6460", "yy-code/number"),
        ("dnr 523-3732-10 Rm\n", "523-3732-10 Rm", "523-3732-10", "class-number-yy"),
        ("Ärendenr: KSN-2015-1158.", "KSN-2015-1158", "KSN 2015/1158", "prefix"),
        ("Er beteckning 505-10-7855)", "505-10-7855", "505-10-7855", "code-yy-number"),
    ],
)
def test_find_dnrs_reads_any_shape_after_a_dnr_word(text, raw, key, family):
    [match] = find_dnrs(text, board=MILJO)

    assert (match.raw, match.dnr.key, match.dnr.family) == (raw, key, family)


def test_find_dnrs_keeps_a_board_code_before_a_form_without_prefix():
    text = "Motion om snöröjning - remiss från kommunstyrelsen, KS 331-159/2013"

    assert found(text, board="Älvsjö") == [("KS 331-159/2013", "331-159/2013", "Kommunstyrelsen")]


# --- never a dnr ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sammanträde 2009-09-17 kl. 18.00-19.00",
        "Handläggare: Gunnar Berg, 08-508 18 161",
        "Frågor till växeln, telefon 0302-52 10 00.",
        "Socialtjänstlagen (SFS 2001:453) och SOU 2018:47.",
        "Motion (2012:6) om kombolägenheter, prop. 2017/18:1.",
        "Protokoll KS § 353/2008 justerat.",
        "Protokoll KS 353/2008 justerat.",
        "Dagcenter Aftonstjärnan, org.nr. 802411-8310, för år 2013",
        "Detaljplan S-Dp 2002-11922-54 och Dp 2004-05707 för Albano.",
        "Bilaga KS190930 Tilläggsyrkande.docx",
        "Program för åren 2013-2015, utbyggnad 25-26 lägenheter",
        "Fastigheten Hammarby 1:1 och Tussmötevägen 294",
        "Ett belopp om 1 053 869 kronor, 123 702 kr.",
        "Remiss från mark- och miljödomstolen, mål nr 3809-11",
        "Tid för protokollets justering (24/11), SDN 19/10",
        "Läsåret 2019/20 och VT 2019/20",
        "Se https://www.stockholm.se/2019/272/dokument.pdf",
    ],
)
def test_find_dnrs_never_returns_these(text):
    assert find_dnrs(text, board=HV) == []


def test_find_dnrs_leaves_the_page_counter_after_a_number():
    assert [m.raw for m in find_dnrs("Dnr KS-2015/31 1 (1)", board=HV)] == ["KS-2015/31"]


def test_find_dnrs_leaves_a_date_after_a_dnr_word():
    assert find_dnrs("Dnr 2009-09-17\nDnr: 2012-06-12", board=HV) == []


dates = st.dates().map(lambda d: d.isoformat())
phones = st.builds(
    lambda area, a, b, c: f"{area}-{a} {b:02d} {c:03d}",
    st.sampled_from(["08", "0302", "018"]),
    st.integers(100, 999),
    st.integers(0, 99),
    st.integers(0, 999),
)
sections = st.builds(lambda n, year: f"§ {n}/{year}", st.integers(1, 999), st.integers(1990, 2030))
lead_ins = st.sampled_from(["", "Sammanträde ", "Justeras ", "Tel. ", "Protokoll KS ", "\n"])


@given(lead_ins, st.one_of(dates, phones, sections), st.sampled_from(["", ".", " kl. 18.00", "\n"]))
@settings(max_examples=300)
def test_find_dnrs_never_returns_a_date_phone_or_section_number(lead_in, thing, tail):
    text = f"Ärende 4. {lead_in}{thing}{tail}"
    start = text.index(thing)

    matches = find_dnrs(text, board=HV)

    assert [m for m in matches if m.start < start + len(thing) and m.end > start] == []


# --- who owns the number ----------------------------------------------------------------------


def test_find_dnrs_gives_a_named_outside_body_its_number():
    text = "Begäran från Länsstyrelsen, dnr 505-08-64515. Dnr 121-2009-500"

    assert found(text) == [
        ("505-08-64515", "505-08-64515", "Länsstyrelsen"),
        ("121-2009-500", "121-2009-500", HV),
    ]


def test_find_dnrs_gives_an_outside_body_its_own_form_unnamed():
    text = "Överklagande av beslutet (beteckning 505-10-7855).\nDnr 2008-11684\nDnr 2011-1372"

    assert found(text, board=MILJO)[0] == ("505-10-7855", "505-10-7855", "Länsstyrelsen")


def test_find_dnrs_keeps_the_boards_own_number_under_remiss_fran():
    text = (
        "Remiss från kommunstyrelsen, dnr 304-1607/2009\nDnr 2009-010756-217\n"
        "Rapport\nDnr 2009-012863-105\n"
    )

    assert found(text, board=MILJO) == [
        ("304-1607/2009", "304-1607/2009", "Kommunstyrelsen"),
        ("2009-010756-217", "2009-10756-217", MILJO),
        ("2009-012863-105", "2009-12863-105", MILJO),
    ]


def test_find_dnrs_learns_the_documents_own_series():
    # Socialtjänstnämnden numbered its cases like the city office; its own numbers stay its own.
    text = (
        "11 Årsrapport\nDnr 122-0288/2006\n12 Månadsrapport\nDnr 201-0684/2005\n"
        "3 Klagomål. Svar på remiss från länsstyrelsen\nDnr 106-0492/2008\n"
    )

    assert [board for _raw, _key, board in found(text, board="Socialnämnden")] == [
        "Socialnämnden",
        "Socialnämnden",
        "Socialnämnden",
    ]


def test_find_dnrs_reads_a_board_code_before_the_dnr_word():
    assert found("Yttrande över förslaget, KS dnr 2019/12.") == [
        ("2019/12", "KS 2019/12", "Kommunstyrelsen")
    ]


def test_find_dnrs_gives_another_municipalitys_numbers_to_it():
    text = "26 Dnr KS 2018/14 Information\n27 Dnr KS 2018/124 Årsredovisning"

    assert [board for _raw, _key, board in found(text, board="Kramfors kommun")] == [
        "Kramfors kommun",
        "Kramfors kommun",
    ]


def test_find_dnrs_reads_a_ministry_as_the_government_offices():
    text = "Svar på remiss från Socialdepartementet, dnr S2019/01234"

    assert [m.board for m in find_dnrs(text, board="Utbildningsnämnden")] == ["Regeringskansliet"]


# --- no text makes it slow --------------------------------------------------------------------


@pytest.mark.parametrize("alphabet", [["1", "2", "-", "–"], ["1", ".", "-", "/", " "]])
def test_find_dnrs_reads_100_kb_of_digits_and_separators_in_linear_time(alphabet):
    # A generous bound: catastrophic backtracking takes minutes here, linear time well under 1 s
    # on an idle machine (bench/dnr_speed.py measures).
    text = "Dnr " + "".join(alphabet[i * 7 % len(alphabet)] for i in range(100_000))

    started = time.perf_counter()
    find_dnrs(text, board=HV)

    assert time.perf_counter() - started < 10
