"""The dnr engine: parsing, formatting, spellings, finding numbers in real agenda text."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.dnr import (
    FAMILIES,
    NOT_PREFIXES,
    STOCKHOLM_BOARDS,
    BoardInfo,
    Dnr,
    DnrError,
    dnr_variants,
    find_dnrs,
    format_dnr,
    looks_like_dnr,
    near_miss_keys,
    parse_dnr,
    try_parse_dnr,
)

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"
HV = "Hässelby-Vällingby"


def read_seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def found(text: str, board: str | None = HV) -> list[tuple[str, str, str | None, str | None]]:
    return [(m.raw, m.dnr.key, m.board, m.relation) for m in find_dnrs(text, board=board)]


# --- parse_dnr: every family and careless spellings -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HV 2019/272", Dnr("prefix", 2019, 272, prefix="HV")),
        ("HV 2019/272-3", Dnr("prefix", 2019, 272, prefix="HV", document=3)),
        ("1.2.4-346-2019", Dnr("class-number-year", 2019, 346, classification="1.2.4")),
        ("3.1.1-12/2018", Dnr("class-number/year", 2018, 12, classification="3.1.1")),
        ("2.6-118-2014", Dnr("class-number-year", 2014, 118, classification="2.6")),
        ("312-410/2013", Dnr("code-number/year", 2013, 410, classification="312")),
        ("2012-207-1.2.4", Dnr("year-number-class", 2012, 207, classification="1.2.4")),
        ("101-188-05", Dnr("class-number-yy", 2005, 188, classification="101")),
        ("101-188-98", Dnr("class-number-yy", 1998, 188, classification="101")),
        ("T 2011-250-02217", Dnr("trafik", 2011, 2217, prefix="T", classification="250")),
        ("Ks 123/2019", Dnr("number/year", 2019, 123, prefix="KS")),
        ("Dnr 0123/19", Dnr("number/year", 2019, 123)),
        ("KS 2017/01519-1.2.1", Dnr("prefix", 2017, 1519, prefix="KS", classification="1.2.1")),
        ("KS-2019/1234.109", Dnr("prefix", 2019, 1234, prefix="KS", classification="109")),
    ],
)
def test_parse_dnr_reads_every_family(text, expected):
    assert parse_dnr(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "display"),
    [
        ("HV 2019/272", "HV 2019/272", "HV 2019/272"),
        ("HV 2019/272-3", "HV 2019/272", "HV 2019/272-3"),
        ("1.2.4-346-2019", "1.2.4-346-2019", "1.2.4-346-2019"),
        ("3.1.1-12/2018", "3.1.1-12/2018", "3.1.1-12/2018"),
        ("3.1.1.-23/2019", "3.1.1-23/2019", "3.1.1-23/2019"),
        ("3.1-008/2009", "3.1-8/2009", "3.1-8/2009"),
        ("312-410/2013", "312-410/2013", "312-410/2013"),
        ("2012-207-1.2.4", "2012-207-1.2.4", "2012-207-1.2.4"),
        ("101-188-05", "101-188-05", "101-188-05"),
        ("T 2011-250-02217", "T 2011-250-02217", "T 2011-250-02217"),
        ("T2011-250-2217", "T 2011-250-02217", "T 2011-250-02217"),
        ("KS 2017/01519-1.2.1", "KS 2017/1519", "KS 2017/1519-1.2.1"),
    ],
)
def test_parse_dnr_gives_canonical_key_and_display(text, key, display):
    dnr = parse_dnr(text)

    assert (dnr.key, dnr.display, format_dnr(dnr)) == (key, display, display)


@pytest.mark.parametrize(
    "text",
    [
        "HV 2019/272",
        "hv 2019/272",
        "HV2019/272",
        "HV-2019-272",
        "HV 2019/0272",
        "HV 2019 / 272",
        "HV 2019–272",
        "HV 2019—272",
        "HV/2019/272",
        "Dnr: HV 2019/272",
        "dnr HV 2019/272.",
        "Diarienummer HV 2019/272",
        "(HV 2019/272)",
        "HV\u00a02019/272",
        "HV\n2019/272",
        "HV 2019/\n272",
        "HV 2O19/272",
        "HV 2Ol9/272",
        "HV 20I9/272",
    ],
)
def test_parse_dnr_accepts_careless_spellings(text):
    assert parse_dnr(text).key == "HV 2019/272"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("KS 2019/123", "KS 2019/123"),
        ("KS2019/0123", "KS 2019/123"),
        ("Dnr KS 2018/0123-1", "KS 2018/123"),
        ("BUN 2018/45", "BUN 2018/45"),
        ("SBN 2017.123", "SBN 2017/123"),
        ("Dnr 2019-000123", "2019/123"),
        ("KS/2019:123", "KS 2019/123"),
        ("Dnr: 2019/123", "2019/123"),
        ("KS 2019-123", "KS 2019/123"),
        ("KSN-2019-01234", "KSN 2019/1234"),
        ("vårt dnr 2019/45", "2019/45"),
        ("Ärende nr 2019/45", "2019/45"),
        ("l.2.4-346-2O19", "1.2.4-346-2019"),
    ],
)
def test_parse_dnr_accepts_other_municipalities_spellings(text, key):
    assert parse_dnr(text).key == key


def test_parse_dnr_applies_default_prefix_only_without_prefix():
    assert parse_dnr("2019/272", default_prefix="HV").key == "HV 2019/272"
    assert parse_dnr("KS 2019/729", default_prefix="HV").key == "KS 2019/729"
    assert parse_dnr("1.2.4-231-2019", default_prefix="HV").key == "1.2.4-231-2019"


def test_parse_dnr_keeps_different_numbers_apart():
    keys = [parse_dnr(text).key for text in ("2019/16", "2019/167", "2019/016", "2018/16")]

    assert keys == ["2019/16", "2019/167", "2019/16", "2018/16"]


def test_parse_dnr_pads_year_like_number_in_number_year_family():
    dnr = Dnr("number/year", 2019, 1999)

    assert (dnr.key, parse_dnr(dnr.key)) == ("01999/2019", dnr)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2019",
        "2019-05-22",
        "HV 2019-05-22",
        "2015-2018",
        "2019-05",
        "2009:400",
        "SFS 2009:400",
        "SOU 2018:47",
        "(2014:9)",
        "29/8 2019",
        "12/19",
        "08-508 04 052",
        "212000-0142",
        "Vinsta 10:3",
        "HV 2019/0",
        "HV 2019/272 och mer",
        "x" * 200,
    ],
)
def test_parse_dnr_refuses_what_is_not_a_dnr(text):
    assert try_parse_dnr(text) is None
    with pytest.raises(DnrError):
        parse_dnr(text)


def test_parse_dnr_error_message_is_swedish():
    with pytest.raises(DnrError) as error:
        parse_dnr("2019-05-22")

    assert str(error.value) == "Känner inte igen diarienumret ”2019-05-22”."


def test_dnr_case_dnr_drops_only_the_document_number():
    dnr = parse_dnr("HV 2019/272-3")

    assert (dnr.case_dnr, dnr.case_dnr.display) == (
        Dnr("prefix", 2019, 272, prefix="HV"),
        "HV 2019/272",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HV 2019/272", True),
        ("hv2019/272", True),
        ("2019/272", True),
        ("3.1.1-12/2018", True),
        ("ängsmark", False),
        ("2019", False),
        ("2019-08-29", False),
        ("SFS 2009:400", False),
        ("HV 2019/272 ängsmark", False),
    ],
)
def test_looks_like_dnr_tells_numbers_from_words(text, expected):
    assert looks_like_dnr(text) is expected


# --- Spellings and typos -----------------------------------------------------------------------


def test_dnr_variants_lists_what_people_type():
    variants = dnr_variants(parse_dnr("HV 2019/272"))

    assert variants == [
        "HV 2019/272",
        "HV2019/272",
        "hv 2019/272",
        "HV-2019-272",
        "HV 2019-272",
        "HV 2019/0272",
        "HV 2019 / 272",
        "HV/2019/272",
        "HV 2019–272",
        "Dnr HV 2019/272",
        "2019/272",
        "2019/0272",
        "Dnr 2019/272",
    ]


def test_near_miss_keys_finds_swapped_prefix():
    assert near_miss_keys(parse_dnr("VH 2019/254"), {"HV", "KS"}) == ("HV 2019/254",)


def test_near_miss_keys_finds_one_letter_edits():
    assert near_miss_keys(parse_dnr("HW 2019/1-2"), ["HV", "KS"]) == ("HV 2019/1",)
    assert near_miss_keys(parse_dnr("K 2019/1"), ["HV", "KS"]) == ("KS 2019/1",)
    assert near_miss_keys(parse_dnr("KSS 2019/1"), ["HV", "KS"]) == ("KS 2019/1",)


def test_near_miss_keys_is_empty_for_known_or_missing_prefix():
    assert near_miss_keys(parse_dnr("HV 2019/254"), ["HV"]) == ()
    assert near_miss_keys(parse_dnr("2019/254"), ["HV"]) == ()
    assert near_miss_keys(parse_dnr("XYZ 2019/254"), ["HV", "KS"]) == ()


# --- Property-based ----------------------------------------------------------------------------

prefixes = st.from_regex(r"[A-ZÅÄÖ]{2,5}", fullmatch=True).filter(lambda p: p not in NOT_PREFIXES)
years = st.integers(1900, 2099)
numbers = st.integers(1, 9_999_999)
dotted = st.lists(st.integers(0, 99), min_size=2, max_size=5).map(
    lambda levels: ".".join(map(str, levels))
)
codes = st.from_regex(r"[0-9]{3}", fullmatch=True)
short_codes = st.from_regex(r"[0-9]{1,3}", fullmatch=True)
yy_years = st.integers(1970, 2069)

prefix_family = st.one_of(
    st.builds(
        Dnr,
        family=st.just("prefix"),
        year=years,
        number=numbers,
        prefix=st.none(),
        document=st.none() | st.integers(1, 9999),
    ),
    st.builds(
        Dnr,
        family=st.just("prefix"),
        year=years,
        number=numbers,
        prefix=prefixes,
        classification=st.none() | dotted | codes,
        document=st.none() | st.integers(1, 9999),
    ),
)
DNRS = {
    "prefix": prefix_family,
    "number/year": st.builds(
        Dnr, family=st.just("number/year"), year=years, number=numbers, prefix=st.none() | prefixes
    ),
    "class-number-year": st.builds(
        Dnr, family=st.just("class-number-year"), year=years, number=numbers, classification=dotted
    ),
    "class-number/year": st.builds(
        Dnr, family=st.just("class-number/year"), year=years, number=numbers, classification=dotted
    ),
    "code-number/year": st.builds(
        Dnr, family=st.just("code-number/year"), year=years, number=numbers, classification=codes
    ),
    "year-number-class": st.builds(
        Dnr, family=st.just("year-number-class"), year=years, number=numbers, classification=dotted
    ),
    "class-number-yy": st.builds(
        Dnr,
        family=st.just("class-number-yy"),
        year=st.integers(1970, 2069),
        number=numbers,
        classification=codes,
    ),
    "trafik": st.builds(
        Dnr,
        family=st.just("trafik"),
        year=years,
        number=numbers,
        prefix=st.just("T"),
        classification=codes,
    ),
    "year-number-code": st.builds(
        Dnr, family=st.just("year-number-code"), year=years, number=numbers, classification=codes
    ),
    "number-year-class": st.builds(
        Dnr,
        family=st.just("number-year-class"),
        year=years,
        number=numbers,
        classification=codes | dotted,
    ),
    "code-number-year": st.builds(
        Dnr,
        family=st.just("code-number-year"),
        year=years,
        number=numbers,
        classification=short_codes,
    ),
    "code-number/yy": st.builds(
        Dnr,
        family=st.just("code-number/yy"),
        year=yy_years,
        number=numbers,
        classification=st.from_regex(r"[0-9]{3,5}", fullmatch=True),
    ),
    "class/number-year": st.builds(
        Dnr,
        family=st.just("class/number-year"),
        year=years,
        number=numbers,
        classification=short_codes | dotted,
    ),
    "class/number/year": st.builds(
        Dnr,
        family=st.just("class/number/year"),
        year=years,
        number=numbers,
        classification=short_codes | dotted,
    ),
    "yy-code/number": st.builds(
        Dnr,
        family=st.just("yy-code/number"),
        year=yy_years,
        number=numbers,
        classification=codes,
        document=st.none() | st.integers(1, 999),
    ),
    "number-year": st.builds(Dnr, family=st.just("number-year"), year=years, number=numbers),
    "code-yy-number": st.builds(
        Dnr,
        family=st.just("code-yy-number"),
        year=yy_years,
        number=st.integers(100, 9_999_999),
        # A four-digit code that reads as a year (1900-70-100) is the year-number-code
        # family to the parser: written that way, the two cannot be told apart.
        classification=st.from_regex(r"[0-9]{3,4}", fullmatch=True).filter(
            lambda code: not (len(code) == 4 and 1900 <= int(code) <= 2099)
        ),
    ),
}
any_dnr = st.one_of(*DNRS.values())


def test_property_strategies_cover_every_family():
    assert sorted(DNRS) == sorted(family.name for family in FAMILIES)


@given(any_dnr)
@settings(max_examples=400)
def test_parse_dnr_reads_back_format_dnr(dnr):
    assert parse_dnr(format_dnr(dnr)) == dnr
    assert parse_dnr(dnr.key) == (
        dnr.case_dnr if dnr.family != "prefix" else Dnr("prefix", dnr.year, dnr.number, dnr.prefix)
    )


@given(any_dnr)
@settings(max_examples=300)
def test_dnr_variants_all_parse_to_the_same_key(dnr):
    keys = {parse_dnr(v, default_prefix=dnr.prefix).key for v in dnr_variants(dnr)}

    assert keys == {dnr.key}


@given(any_dnr)
@settings(max_examples=300)
def test_find_dnrs_finds_every_formatted_dnr_after_dnr_word(dnr):
    text = f"Se dnr {format_dnr(dnr)}."

    matches = find_dnrs(text, board=None)

    assert [(m.raw, m.dnr.key) for m in matches] == [(format_dnr(dnr), dnr.key)]


@given(st.text())
@settings(max_examples=500)
def test_try_parse_dnr_never_crashes(text):
    result = try_parse_dnr(text)

    assert result is None or isinstance(result, Dnr)


@given(st.text(), st.sampled_from([None, HV, "KS", "Okänd nämnd"]))
@settings(max_examples=300)
def test_find_dnrs_never_crashes_and_spans_are_exact(text, board):
    for match in find_dnrs(text, board=board):
        assert text[match.start : match.end] == match.raw


@given(st.lists(st.sampled_from(["HV", " ", "\n", "2019", "/", "-", "272", "dnr", ",", "."])))
@settings(max_examples=300)
def test_find_dnrs_spans_are_exact_on_dnr_like_noise(parts):
    text = "".join(parts)

    for match in find_dnrs(text, board=HV):
        assert text[match.start : match.end] == match.raw


# --- find_dnrs: what it finds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ärendet har dnr KS 2019/123.", [("KS 2019/123", "KS 2019/123")]),
        ("Dnr KS2019/0123", [("KS2019/0123", "KS 2019/123")]),
        ("Dnr KS 2018/0123-1", [("KS 2018/0123-1", "KS 2018/123")]),
        ("Bilaga till BUN 2018/45 om skolval", [("BUN 2018/45", "BUN 2018/45")]),
        ("Ärende SBN 2017.123 gäller bygglov", [("SBN 2017.123", "SBN 2017/123")]),
        ("Dnr 2019-000123", [("2019-000123", "2019/123")]),
        ("Diarienummer KS/2019:123", [("KS/2019:123", "KS 2019/123")]),
        ("Dnr: 2019/123", [("2019/123", "2019/123")]),
        ("Ärende KS 2019-123 om budget", [("KS 2019-123", "KS 2019/123")]),
        ("Dnr KSN-2019-1234", [("KSN-2019-1234", "KSN 2019/1234")]),
        ("Dnr: Ks 1234/2018", [("Ks 1234/2018", "KS 1234/2018")]),
        ("Diarienummer: 0123/19", [("0123/19", "123/2019")]),
        ("Dnr KS-2019/1234.109 gäller", [("KS-2019/1234.109", "KS 2019/1234")]),
        ("Dnr Kst 2019/123", [("Kst 2019/123", "KST 2019/123")]),
        ("vårt dnr 2019/45, ert dnr 2019/46", [("2019/45", "2019/45"), ("2019/46", "2019/46")]),
        ("Ärende nr 2019/77 behandlas", [("2019/77", "2019/77")]),
        ("Dnr 101-188-05", [("101-188-05", "101-188-05")]),
    ],
)
def test_find_dnrs_finds_common_swedish_spellings(text, expected):
    assert [(m.raw, m.dnr.key) for m in find_dnrs(text)] == expected


def test_find_dnrs_covers_numbers_split_by_line_breaks():
    text = "Se HV\n2019/272 och HV 2019/\n272 samt Dnr. 3.1-\n701/2012."

    assert found(text) == [
        ("HV\n2019/272", "HV 2019/272", HV, None),
        ("HV 2019/\n272", "HV 2019/272", HV, None),
        ("3.1-\n701/2012", "3.1-701/2012", "Socialnämnden", None),
    ]


def test_find_dnrs_gives_own_board_prefix_to_bare_number_after_dnr_word():
    assert found("Svar på medborgarförslag, dnr 2019/12.") == [
        ("2019/12", "HV 2019/12", HV, "svar-pa")
    ]


def test_find_dnrs_continues_a_list_of_numbers():
    text = "Svar på medborgarförslag dnr 2019/16 och 2019/167"

    assert found(text) == [
        ("2019/16", "HV 2019/16", HV, "svar-pa"),
        ("2019/167", "HV 2019/167", HV, "svar-pa"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Remiss från Trafiknämnden, dnr T 2011-250-02217.",
            [("T 2011-250-02217", "T 2011-250-02217", "Trafiknämnden", "remiss-fran")],
        ),
        (
            "Trafiknamndens dnr 2019/123",
            [("2019/123", "2019/123", "Trafiknämnden", None)],
        ),
        (
            "kommunstyrelsens diarienummer 2019/45",
            [("2019/45", "KS 2019/45", "Kommunstyrelsen", None)],
        ),
        (
            "Remiss fran kommunstyrelsen, dnr 2019/45",
            [("2019/45", "KS 2019/45", "Kommunstyrelsen", "remiss-fran")],
        ),
        (
            "Socialforvaltningens dnr 3.1.1-12/2018",
            [("3.1.1-12/2018", "3.1.1-12/2018", "Socialnämnden", None)],
        ),
        (
            "Dnr 2.6-118-2014 och 2012-207-1.2.4",
            [
                ("2.6-118-2014", "2.6-118-2014", HV, None),
                ("2012-207-1.2.4", "2012-207-1.2.4", HV, None),
            ],
        ),
        ("Se dnr 312-410/2013", [("312-410/2013", "312-410/2013", "Kommunstyrelsen", None)]),
        (
            "Beslut från IVO, dnr 8.5-12345/2019",
            [("8.5-12345/2019", "8.5-12345/2019", "IVO", None)],
        ),
        ("VH 2019/254 Internremiss", [("VH 2019/254", "VH 2019/254", None, None)]),
    ],
)
def test_find_dnrs_attributes_numbers_to_the_board_the_words_name(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("Ärendet besvarar även dnr HV 2019/19.", "besvarar-aven"),
        ("För kännedom: KS 2019/1", "for-kannedom"),
        ("Ärendet överlämnas till kommunstyrelsen, dnr KS 2019/88", "overlamnat-till"),
        ("Svar pa remiss fran kommunstyrelsen\nDnr KS 2019/656", "remiss-fran"),
        ("Svar på skrivelse.\n\nDnr KS 2019/656", None),
        ("Motion av Emilia Bjuggren (S)\nKS 2019/729", None),
    ],
)
def test_find_dnrs_reads_relation_from_the_words_before(text, relation):
    assert [m.relation for m in find_dnrs(text)] == [relation]


def test_find_dnrs_keeps_label_of_board_outside_catalogue():
    assert found("Dnr 2019/12 och 3.1.1-12/2018", board="Uppsala kommunstyrelse") == [
        ("2019/12", "2019/12", "Uppsala kommunstyrelse", None),
        ("3.1.1-12/2018", "3.1.1-12/2018", "Uppsala kommunstyrelse", None),
    ]


def test_find_dnrs_uses_the_boards_passed_in():
    boards = [BoardInfo("Byggnadsnämnden", "BN", ("BN",), ("Byggnadsnämnd",), ("prefix",))]

    text = "BN 2019/4 och byggnadsnämndens dnr 2019/5"

    assert [(m.dnr.key, m.board) for m in find_dnrs(text)] == [
        ("BN 2019/4", None),
        ("2019/5", None),
    ]
    assert [(m.dnr.key, m.board) for m in find_dnrs(text, boards=boards)] == [
        ("BN 2019/4", "BN"),
        ("BN 2019/5", "BN"),
    ]


# --- find_dnrs: what it must not find ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sammanträde 2019-08-29 och 2019-05-22 kl. 13:30, justeras 29/8 2019.",
        "Telefon: 08-508 04 052, 0850805178, Växel 08-50804000",
        "enligt lagen (2009:400), SFS 2017:725 och 4 kap. 1 § SoL",
        "Motion om parker (2014:9) och motion 2019:45",
        "Detaljplan S-Dp 2004-10231-54 och Dp 2015-12345",
        "Fastigheterna Vinsta 10:3 och Grimsta 1:1",
        "Org.nr 212000-0142, personnummer 19850101-1234 och 850101-1234",
        "Box 3424, 165 64 Hässelby",
        "Kostnaden är 1 200 000 kr, varav 2 412 kr moms.",
        "Beslut enligt § 12 i protokollet",
        "Sida 1 (3)",
        "Rapport om arbetet åren 2015-2018",
        "Avseende tidsperioden 2019-05-22 till 2019-07-11",
        "Tabell: 72/457 | 89/460 | 185/898 | 337/1075",
        "https://fof.se/tidning/2019/3/artikel och hasselby.2019@stockholm.se",
        "www.stockholm.se/KS/2019/12 och Stockholms-stad-budget-2019.pdf",
        "förordning (EU) 2016/679 och EU 2016/679",
        "SOU 2018:47, Prop. 2017/18:1, Dir. 2017:39 och AFS 2015:4",
        "läsåret 2019/20, VT 2019/20 och HT 2019",
        "Budget 2019/2020 och LSS 2019-2022",
        "Datum: 4/13/2019 1:17:31 PM",
        "ISBN: 978-91-88561-21-3",
        "Mål nr 1234-19, NJA 2019 s. 123, MÖD 2019:12, HFD 2019 ref. 12",
        "2019.05.22 och version 2017.1",
        "ca 2019/300 ärenden och 2019/20 personer",
        "Kst 2019/123 utan dnr-ord",
    ],
)
def test_find_dnrs_ignores_what_is_not_a_dnr(text):
    assert find_dnrs(text, board=HV) == []


# --- Boards ------------------------------------------------------------------------------------


def test_stockholm_boards_only_confirmed_prefixes():
    prefixes = {board.short_name: board.prefixes for board in STOCKHOLM_BOARDS if board.prefixes}

    assert prefixes == {HV: ("HV",), "Trafiknämnden": ("T",), "Kommunstyrelsen": ("KS",)}


def test_stockholm_boards_have_unique_short_names():
    names = [board.short_name for board in STOCKHOLM_BOARDS]

    assert len(names) == len(set(names)) == 32


# --- Seeds -------------------------------------------------------------------------------------

# HV 2019/210–420 is the ärendelista at the end of the pack (lines 15218–15661, every number in
# turn); the rest was read line by line: agenda (1–39), TU headers and subtitles, bilaga
# lists, remissbrev, the delegation list (15132–15197) and the medborgarförslag table with
# "HV" and "2019/148" split over table rows (15073–15081).
SEED_002_KEYS = {f"HV 2019/{n}" for n in range(210, 421)} | {
    "HV 2019/8",
    "HV 2019/9",
    "HV 2019/12",
    "HV 2019/16",
    "HV 2019/19",
    "HV 2019/82",
    "HV 2019/113",
    "HV 2019/148",
    "HV 2019/167",
    "HV 2019/168",
    "HV 2019/169",
    "HV 2019/179",
    "1.2.4-346-2019",
    "1.2.4-231-2019",
    "KS 2019/729",
    "KS 2019/656",
    "KS 2018/1502",
    "320-845/2015",
    "3.2.2-109/2019",
    "3.1.1-12/2018",
    "3.1.1-23/2019",
    "3.1.1-217/2019",
    "3.1-8/2009",
    "3.1-70/2010",
    "3.1-98/2011",
    "3.1-701/2012",
    "3.1-860/2013",
    "3.1-570/2014",
    "3.1.2-70/2016",
    "3.1.1-51/2017",
    "VH 2019/254",
}


@pytest.fixture(scope="module")
def seed_002_matches():
    text = read_seed("002_749fa453a4c97fcd.txt")
    return text, find_dnrs(text, board=HV)


def test_find_dnrs_finds_exactly_the_dnr_in_seed_002(seed_002_matches):
    text, matches = seed_002_matches

    assert {m.dnr.key for m in matches} == SEED_002_KEYS
    assert len(matches) == 293
    assert all(text[m.start : m.end] == m.raw for m in matches)


def test_find_dnrs_attributes_seed_002_numbers_to_boards(seed_002_matches):
    _text, matches = seed_002_matches
    boards = {m.dnr.key: m.board for m in matches}

    assert (boards["KS 2019/729"], boards["KS 2019/656"]) == ("Kommunstyrelsen", "Kommunstyrelsen")
    assert (boards["320-845/2015"], boards["3.1.1-217/2019"]) == (
        "Kommunstyrelsen",
        "Socialnämnden",
    )
    assert (boards["1.2.4-231-2019"], boards["HV 2019/12"], boards["VH 2019/254"]) == (HV, HV, None)


def test_find_dnrs_reads_the_angsmark_subtitle_as_three_answers(seed_002_matches):
    text, matches = seed_002_matches
    start = text.index("Svar pa tre medborgarforslag")
    subtitle = text[start : text.index("\n\n", start)]

    assert subtitle == (
        "Svar pa tre medborgarforslag dnr HV 2019/272, HV 2019/259\nsamt HV 2019/19."
    )
    assert found(subtitle) == [
        ("HV 2019/272", "HV 2019/272", HV, "svar-pa"),
        ("HV 2019/259", "HV 2019/259", HV, "svar-pa"),
        ("HV 2019/19", "HV 2019/19", HV, "svar-pa"),
    ]


def test_find_dnrs_reads_seed_002_bare_and_split_numbers(seed_002_matches):
    text, matches = seed_002_matches
    bare = [(m.raw, m.dnr.key) for m in matches if not m.raw.startswith(("HV", "KS", "VH"))]
    prefix_less = [pair for pair in bare if pair[0].startswith("2019/")]

    assert prefix_less == [
        ("2019/12", "HV 2019/12"),
        ("2019/12", "HV 2019/12"),
        ("2019/148", "HV 2019/148"),
        ("2019/286", "HV 2019/286"),
    ]
    assert ("3.1-\n701/2012", "3.1-701/2012") in bare
    remiss = [m for m in matches if m.raw == "KS 2019/656" and m.relation]
    assert [(m.relation, text.count("\n", 0, m.start) + 1) for m in remiss] == [
        ("remiss-fran", 1915)
    ]


@pytest.mark.parametrize(
    "name", ["000_c565dac7b2e20d9e.txt", "003_9a413c8b3096659a.txt", "004_d89b0ecc961349f8.txt"]
)
def test_find_dnrs_finds_nothing_in_seeds_without_dnr(name):
    # Tjänsteutlåtanden without a dnr line: dates, phone numbers, "§ 25", "2024-2027" only.
    assert find_dnrs(read_seed(name), board=HV) == []
