"""The pure text side of search: OCR folding, query expansion, parsing, compounds."""

import itertools
import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.search import language


def test_ocrfold_folds_diacritics_and_ocr_glyphs():
    assert language.ocrfold("Förvaltningens") == "forvaltningens"
    assert language.ocrfold("fér") == "far"
    assert language.ocrfold("&ngsmark") == "angsmark"
    assert language.ocrfold("4ven") == "aven"
    assert language.ocrfold("6ver") == "over"
    assert language.ocrfold("socialtj@insten") == "socialtjainsten"


def test_ocrfold_leaves_numbers_alone():
    assert (
        language.ocrfold("HT16 t3 2016 2019/16 08-508 04 052")
        == "ht16 t3 2016 2019/16 08-508 04 052"
    )


def test_ocrfold_is_idempotent_on_ocr_text():
    text = "Stadsdelsndmnden godkénner f6rvaltningens f&rslag 1 Hasselby-Villingby"

    assert language.ocrfold(language.ocrfold(text)) == language.ocrfold(text)


def test_ocr_variants_cover_observed_damage():
    variants = language.ocr_variants("biståndshandläggare")

    assert variants[0] == "bistandshandlaggare"
    for seen_in_seeds in ["bistdndshandldggare", "bistindshandlaggare", "bistandshandlidggare"]:
        assert seen_in_seeds in variants
    assert len(variants) <= language.MAX_VARIANTS


def test_ocr_variants_skip_short_words_and_plain_words():
    assert language.ocr_variants("är") == ["ar"]
    assert language.ocr_variants("bygglov") == ["bygglov"]


def test_ocr_variants_of_word_with_many_special_letters_stay_bounded():
    variants = language.ocr_variants("återställningsåtgärdsärendenas")

    assert 1 < len(variants) <= language.MAX_VARIANTS
    assert variants[0] == "aterstallningsatgardsarendenas"


def _variants_folded_one_by_one(word: str) -> list[str]:
    """The definition ocr_variants implements faster: every spelling folded on its own."""
    word = unicodedata.normalize("NFKC", word).lower()
    specials = [i for i, ch in enumerate(word) if ch in "åäö"]
    if not specials or len(word) < language.MIN_EXPANDED_LENGTH:
        return [language.ocrfold(word)]
    width = 1
    for candidate in range(1, len(language._A_VARIANTS) + 1):
        options = [
            (language._O_VARIANTS if word[i] == "ö" else language._A_VARIANTS)[:candidate]
            for i in specials
        ]
        if math.prod(len(o) for o in options) <= language.MAX_VARIANTS:
            width = candidate
    options = [
        (language._O_VARIANTS if word[i] == "ö" else language._A_VARIANTS)[:width] for i in specials
    ]
    out = []
    for combination in itertools.product(*options):
        chars = list(word)
        for index, replacement in zip(specials, combination, strict=True):
            chars[index] = replacement
        spelling = language.ocrfold("".join(chars))
        if spelling not in out:
            out.append(spelling)
    return out


@pytest.mark.parametrize(
    "word",
    [
        "biståndshandläggare",
        "återställningsåtgärdsärendenas",
        "förvaltningen",
        "ängsmark",
        "e-hälsa",
        "hö6bal",  # an OCR glyph next to a special letter
        "4ärende",
        "tjänsteutlåtande",
        unicodedata.normalize("NFD", "nämnden"),  # å/ä/ö typed as letter + combining ring
    ],
)
def test_ocr_variants_equal_folding_each_spelling(word):
    assert language.ocr_variants(word) == _variants_folded_one_by_one(word)


@given(st.text(alphabet="abnsåäöé460#&@-'", min_size=1, max_size=16))
def test_ocr_variants_equal_folding_each_spelling_for_any_word(word):
    assert language.ocr_variants(word) == _variants_folded_one_by_one(word)


def test_parse_query_websearch_semantics():
    parsed = language.parse_query('"förslag till beslut" ängsmark -parkering or gungor')

    assert parsed.clauses == [
        [language.Term("förslag till beslut", phrase=True)],
        [language.Term("ängsmark")],
        [language.Term("parkering", negated=True), language.Term("gungor")],
    ]


def test_parse_query_or_joins_alternatives():
    parsed = language.parse_query("ängsmark or gungor eller parkbänkar")

    assert parsed.clauses == [
        [language.Term("ängsmark"), language.Term("gungor"), language.Term("parkbänkar")]
    ]


def test_parse_query_ignores_operators_only():
    assert not language.parse_query('- "" or &|!:*')


def test_split_compound_finds_parts():
    lexicon = {"medborgare", "medborgar", "förslag", "arbete", "miljö", "arbetet", "bygg", "lov"}

    assert language.split_compound("medborgarförslag", lexicon.__contains__) == [
        "medborgar",
        "förslag",
    ]
    assert language.split_compound("arbetsmiljöarbetet", lexicon.__contains__) == [
        "arbete",
        "miljö",
        "arbetet",
    ]
    assert language.split_compound("skolgården", {"skola", "gården"}.__contains__) == [
        "skola",
        "gården",
    ]
    assert language.split_compound("förslag", lexicon.__contains__) == []


@given(st.text(max_size=200))
def test_parse_query_and_tsquery_never_crash(text):
    parsed = language.parse_query(text)

    sql, params = language.tsquery_sql(parsed, ocr=True)

    assert sql.count("%s") == len(params)


def test_build_tsquery_holds_every_tsquery_of_the_request():
    parsed = language.parse_query('"förslag till beslut" ängsmark -parkering')

    built = language.build_tsquery(parsed, {"ängsmark": ["ängsmark", "angsmark"]})

    phrase, word = "phraseto_tsquery('swedish', %s)", "to_tsquery('swedish', %s)"
    assert (built.clean, built.ocr) == (
        (
            f"({phrase}) && ({word}) && (!!({word}))",
            ("förslag till beslut", "'ängsmark':*", "'parkering'"),
        ),
        (
            f"({phrase}) && ({word}) && (!!({word}))",
            ("forslag till beslut", "'ängsmark':* | 'angsmark':*", "'parkering'"),
        ),
    )
    assert (built.relaxed_clean, built.relaxed_ocr) == (
        (
            f"(plainto_tsquery('swedish', %s)) && ({word})",
            ("förslag till beslut", "'ängsmark':*"),
        ),
        (
            f"(plainto_tsquery('swedish', %s)) && ({word})",
            ("forslag till beslut", "'ängsmark':* | 'angsmark':*"),
        ),
    )


def test_build_tsquery_relaxed_is_the_query_without_phrases_or_exclusions():
    built = language.build_tsquery(language.parse_query("ängsmark"), {"ängsmark": ["angsmark"]})

    assert (built.relaxed_clean, built.relaxed_ocr, bool(built)) == (
        ("(to_tsquery('swedish', %s))", ("'ängsmark':*",)),
        ("(to_tsquery('swedish', %s))", ("'angsmark':*",)),
        True,
    )
    assert bool(language.build_tsquery(language.parse_query("-parkering"))) is False


def test_statements_read_the_requests_tsquery_as_built():
    from cases.search import statements

    parsed = language.parse_query('"otillåten påverkan" -buller')
    variants = {"påverkan": ["paverkan"]}
    built = language.build_tsquery(parsed, variants)
    where, params = "public", []

    assert statements.match_condition(built) == statements.match_condition(parsed, variants)
    assert statements.rank_expression(built, table="e") == statements.rank_expression(
        parsed, variants, table="e"
    )
    assert statements.gin_statement(built, None, where, params, "date") == (
        statements.gin_statement(parsed, variants, where, params, "date")
    )
    assert statements.walk_statement(built, None, where, params, "date") == (
        statements.walk_statement(parsed, variants, where, params, "date")
    )
