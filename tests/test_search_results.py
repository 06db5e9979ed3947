"""Search results a person can trust (issue 14): every matching case reachable on the
Ärenden tab and in the case export, exact counts and facet counts with an honest estimate
above the limit, suggestions that are real words with hits, and readable XLSX."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cases.models import Board, Case, SearchWord
from cases.search import case_search, criteria, document_search, estimates, language, suggest
from cases.services import indexing
from tests.factories import CaseFactory, DocumentFactory


def case(title, **fields):
    created = CaseFactory(title=title, **fields)
    indexing.index_case(case=created)
    return created


def document(title, text, **fields):
    created = DocumentFactory(title=title, full_text=text, **fields)
    indexing.index_document(document=created)
    return created


@pytest.fixture
def hv(db):
    return Board.objects.get(short_name="Hässelby-Vällingby")


@pytest.fixture
def ks(db):
    return Board.objects.get(short_name="Kommunstyrelsen")


@pytest.fixture
def preschools(hv, ks):
    """25 cases about a förskola (21 at HV, 4 at KS, 2 decided) and one about something else."""
    made = []
    for n in range(25):
        made.append(
            case(
                f"Synpunkter på förskolan nr {n}",
                board=ks if n % 8 == 0 else hv,
                status=Case.Status.DECIDED if n in (3, 4) else Case.Status.OPEN,
                registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=n),
                dnr_number=700 + n,
            )
        )
    case("Utegym i Nälsta", board=hv, dnr_number=699)
    return made


def test_every_matching_case_is_reachable_by_paging(preschools):
    filters = criteria.SearchFilters()

    pages = [
        case_search.search_cases(
            query="förskola", filters=filters, sort="nyast", page=n, page_size=10
        )
        for n in (1, 2, 3)
    ]

    assert [(p.total, p.estimated, p.page, p.pages) for p in pages] == [
        (25, False, 1, 3),
        (25, False, 2, 3),
        (25, False, 3, 3),
    ]
    reached = [c.dnr for p in pages for c in p.cases]
    assert reached == [
        c.dnr for c in sorted(preschools, key=lambda c: c.registered_on, reverse=True)
    ]


def test_case_counts_and_facets_equal_a_brute_force_count(preschools, hv, ks):
    results = case_search.search_cases(query="förskola", filters=criteria.SearchFilters(board=hv))

    brute = [c for c in preschools if c.board == hv]
    assert results.total == len(brute) == 21
    assert [(f.label, f.count, f.selected) for f in results.facets["board"]] == [
        ("Hässelby-Vällingby", 21, True),
        ("Kommunstyrelsen", 4, False),  # counted without the board filter
    ]
    assert [(f.label, f.count) for f in results.facets["status"]] == [
        ("Pågående", sum(c.status == Case.Status.OPEN for c in brute)),
        ("Beslutat", sum(c.status == Case.Status.DECIDED for c in brute)),
    ]


def test_above_the_exact_limit_the_total_is_an_estimate(preschools):
    results = case_search.search_cases(
        query="förskola", filters=criteria.SearchFilters(), exact_limit=10
    )

    assert results.estimated is True
    assert results.total >= 11
    assert results.pages == 1  # the pages hold the newest exact_limit matches
    assert estimates.round_estimate(53_812) == 54_000
    assert estimates.round_estimate(987) == 990


def test_estimate_from_the_date_statistics(hv):
    for n in range(40):
        case(
            f"Remiss om förskolor {n}",
            registered_on=datetime.date(2000 + n % 20, 6, 1 + n // 20),
            dnr_number=900 + n,
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casesearchentry")

    results = case_search.search_cases(
        query="förskolor", filters=criteria.SearchFilters(), exact_limit=9
    )

    # the 10 newest are from the last 5 years of 20: about a quarter of the whole
    assert results.estimated is True
    assert 30 <= results.total <= 50


def test_cases_tab_on_the_search_page(client, preschools):
    response = client.get("/sok/", {"q": "förskola", "visa": "arenden", "sida": 2})

    page = response.content.decode()
    assert response.status_code == 200
    assert [c.dnr for c in response.context["case_results"].cases] == [
        c.dnr
        for c in case_search.search_cases(
            query="förskola", filters=criteria.SearchFilters(), page=2
        ).cases
    ]
    assert len(response.context["case_results"].cases) == 5
    assert "25 ärenden vars ärendemening matchar ”förskola”" in page
    assert 'aria-current="page">Ärenden (25)</a>' in page
    assert "Sida 2 av 2" in page
    assert 'href="/sok/export.csv?q=f%C3%B6rskola&amp;urval=arenden"' in page


def test_cases_tab_counts_the_documents_without_their_page(client, preschools, monkeypatch):
    for case in preschools[:2]:
        document = DocumentFactory(case=case, full_text="Förskolans gård ska rustas.")
        indexing.index_document(document=document)
    documents = client.get("/sok/", {"q": "förskola"}).context["results"]

    def not_on_this_tab(*args, **kwargs):
        raise AssertionError("the documents' page was searched on the Ärenden tab")

    monkeypatch.setattr(document_search, "search_documents", not_on_this_tab)
    response = client.get("/sok/", {"q": "förskola", "visa": "arenden"})

    page = response.content.decode()
    assert documents.total == 2
    assert ">Handlingar (2)</a>" in page
    assert response.context["results"].total == documents.total


def test_documents_tab_links_to_all_cases(client, preschools):
    response = client.get("/sok/", {"q": "förskola"})

    page = response.content.decode()
    assert "De 5 mest relevanta av 25 ärenden" in page
    assert '<a href="?q=f%C3%B6rskola&amp;visa=arenden">visa alla ärenden</a>' in page


def test_cases_tab_query_count_is_fixed(client, preschools, django_assert_num_queries):
    client.get("/sok/", {"q": "förskola", "visa": "arenden"})  # warm the caches
    # the documents' count: its sample, then the newest; the cases: variants, matches, page
    with django_assert_num_queries(8):
        client.get("/sok/", {"q": "förskola", "visa": "arenden"})
    case("Synpunkter på förskolan extra", dnr_number=799)
    with django_assert_num_queries(8):
        client.get("/sok/", {"q": "förskola", "visa": "arenden"})


def test_case_export_has_every_matching_case(client, preschools):
    response = client.get("/sok/export.csv", {"q": "förskola"})  # mostly cases: cases

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Diarienummer",
        "Nämnd",
        "Ärendemening",
        "Status",
        "Registrerat",
        "Handläggare",
        "Sammanträde",
        "Paragraf",
        "Handlingar",
        "Länk",
    ]
    assert sorted(row[0] for row in rows[1:]) == sorted(c.dnr for c in preschools)
    assert response["Content-Disposition"].startswith('attachment; filename="arenden-forskola-')


def test_export_default_is_documents_when_documents_are_most(client, hv):
    owner = case("Skrivelse om förskola", board=hv)
    for n in range(3):
        document(f"Tjänsteutlåtande om förskola {n}", "Förskola i Grimsta.", case=owner)

    default = client.get("/sok/export.csv", {"q": "förskola"})
    chosen = client.get("/sok/export.csv", {"q": "förskola", "urval": "arenden"})

    default_rows = b"".join(default.streaming_content).decode("utf-8-sig").splitlines()
    chosen_rows = b"".join(chosen.streaming_content).decode("utf-8-sig").splitlines()
    assert (default_rows[0].split(";")[2], len(default_rows)) == ("Rubrik", 4)
    assert (chosen_rows[0].split(";")[2], len(chosen_rows)) == ("Ärendemening", 2)


def test_case_xlsx_export_is_readable(client, preschools):
    response = client.get("/sok/export.xlsx", {"q": "förskola", "urval": "arenden"})

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Ärenden"]
    assert workbook.sheetnames == ["Ärenden", "Sökning"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J26"
    assert sheet.column_dimensions["A"].width >= len("HV 2019/724") + 2
    assert sheet.column_dimensions["E"].width >= len("2019-01-25") + 2
    link = sheet.cell(row=2, column=10)
    assert link.hyperlink.target == link.value
    first = Case.objects.select_related("board").get(dnr_key=sheet.cell(row=2, column=1).value)
    assert link.value == "http://testserver" + first.get_absolute_url()
    about = {row[0]: row[1] for row in workbook["Sökning"].iter_rows(values_only=True)}
    assert (about["Sökning"], about["Urval"], about["Sortering"]) == (
        "förskola",
        "Ärenden",
        "Relevans",
    )


def test_a_kind_filter_leaves_no_cases(client, preschools):
    response = client.get("/sok/", {"q": "förskola", "visa": "arenden", "typ": "beslut"})

    assert response.status_code == 200
    assert response.context["case_results"].total == 0
    assert "Ärenden har ingen handlingstyp" in response.content.decode()


# --- Suggestions -------------------------------------------------------------------------


def test_suggestion_is_a_real_word_with_hits(hv):
    case("Medborgarförslag om drönare istället för polishelikoptrar", board=hv)
    document("Skrivelse", "Kontakt med polisen och myndigheten om bygga nytt.")

    def suggested(query):
        return suggest.suggest(language.parse_query(query))

    assert suggested("medborgarförslg") == "medborgarförslag"
    assert suggested("drönre") == "drönare"
    assert suggested("Polismyndigheten") == "polisen myndigheten"
    assert suggested("bygglov") == "bygga"
    assert suggested("drönare") is None  # it finds something already


def test_suggestion_is_a_whole_compound_from_the_public_vocabulary(hv):
    # the word list lacks these compounds; split by part they gave "delar eller ordningen"
    case("Revidering av delegationsordningen", board=hv)
    document("Skrivelse", "Stockholmsrummet i Kulturhuset.")

    def suggested(query):
        return suggest.suggest(language.parse_query(query))

    assert suggested("delegatonsordning") == "delegationsordning"
    assert suggested("delegatonsordningen") == "delegationsordningen"
    assert suggested("stockholmsrumet") == "stockholmsrummet"
    assert suggested("stockhlmsrumet") == "stockholmsrummet"  # two edits in a long word


def test_suggestion_never_an_ocr_damaged_compound(hv):
    # OCR read an l for the i: the vocabulary holds "delegatlonsordning", not a real word
    document("Beslut", "Delegatlonsordning fastställd.", text_source="ocr")

    assert suggest.vocabulary_candidates("delegatonsordning") == {}
    assert suggest.is_real_compound("delegationsordning")
    assert not suggest.is_real_compound("delegatlonsordning")


def test_suggestion_never_an_ocr_misspelling(hv):
    # the index holds OCR's "medborgarfarslag"; the suggestion is the real word
    document("Medborgarforslag", "Medborgarfarslag om gungor.", text_source="ocr")

    results = document_search.search_documents(
        query="medborgarförslg", filters=criteria.SearchFilters()
    )

    assert results.suggestion == "medborgarförslag"


def test_suggestion_never_reveals_a_protected_title_word(hv):
    # "trollkarlen" stands only in a protected title and a confidential document
    case(
        "Anmälan om trollkarlen på Gungvägen",
        board=hv,
        title_protected=True,
        public_title="Anmälan enligt socialtjänstlagen",
    )
    document(
        "Utredning",
        "Trollkarlen bor på Gungvägen.",
        confidential=True,
        osl_reference="26 kap. 1 §",
    )

    results = document_search.search_documents(
        query="trollkarlem", filters=criteria.SearchFilters()
    )

    assert (results.total, results.case_total, results.suggestion) == (0, 0, None)
    assert suggest.candidates("trollkarlem")[0] == "trollkarlen"  # a real word, but secret


def test_vocabulary_rules_out_only_words_no_public_search_finds(hv):
    # the suggestion asks the vocabulary first: it must never rule out a word with hits
    document("Skrivelse", "Bygglovet för förskolan vid Gungvägen.")
    document("Beslut", "Dronare over parken.", text_source="ocr")
    case("Gungbrädor vid Vinstagårdsskolan", board=hv)  # a case title only
    document("Utredning", "Trollkarlen bor här.", confidential=True, osl_reference="26 kap. 1 §")
    words = [
        "bygglov",  # the search matches it as a prefix of "bygglovet"
        "bygglovet",
        "drönare",  # in an OCR'd text only, as "dronare"
        "dronare",
        "gungbrädor",
        "trollkarlen",  # only in a confidential handling
        "elefant",
        "och",  # a stop word finds nothing
    ]

    present = suggest.words_in_vocabulary(words)
    found = {word for word in words if suggest.has_hits(word)}

    assert found == {"bygglov", "bygglovet", "drönare", "dronare", "gungbrädor"}
    assert present == found


def test_candidates_the_vocabulary_lacks_cost_no_search(hv, django_assert_num_queries):
    case("Medborgarförslag om drönare", board=hv)
    hits = suggest.Hits()

    with django_assert_num_queries(1):
        hits.look_up(["drönare", "dränare", "elefant", "gungbräda", "polis myndigheten"])
        ruled_out = [hits.found(word) for word in ("dränare", "elefant", "gungbräda")]

    assert ruled_out == [False, False, False]
    assert (hits.found("drönare"), hits.found("polis myndigheten")) == (True, False)


def test_suggestion_never_from_the_vocabulary_alone(hv):
    # were the vocabulary ever to hold a secret handling's word, the search still decides
    document(
        "Utredning", "Trollkarlen bor på Gungvägen.", confidential=True, osl_reference="26 kap. 1 §"
    )
    SearchWord.objects.create(word="trollkarl", documents=1)

    results = document_search.search_documents(
        query="trollkarlem", filters=criteria.SearchFilters()
    )

    assert suggest.words_in_vocabulary(["trollkarlen"]) == {"trollkarlen"}
    assert (results.total, results.case_total, results.suggestion) == (0, 0, None)


def test_compound_part_shown_in_the_public_form_not_a_protected_title_one(hv):
    document("Skrivelse", "Vi vill bygga en lekplats.")
    secret = CaseFactory(
        title="Byggde byggde byggde", title_protected=True, public_title="Anmälan", board=hv
    )
    document("Anmälan", "Han byggde och byggde och byggde.", case=secret)

    assert suggest.surface_form("bygg") == "bygga"


def test_suggestion_shown_on_the_page(client, hv):
    case("Medborgarförslag om drönare", board=hv)

    response = client.get("/sok/", {"q": "drönre"})

    assert 'Menade du <a href="?q=dr%C3%B6nare">drönare</a>?' in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_case_export_query_count_does_not_grow(client, hv, django_assert_num_queries, count):
    for n in range(count):
        case(f"Synpunkter på förskolan nr {n}", board=hv, dnr_number=800 + n)

    with django_assert_num_queries(3):  # spellings, ids, one batch of rows
        response = client.get("/sok/export.csv", {"q": "förskola", "urval": "arenden"})
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(rows) == count + 1


# --- Snippets -----------------------------------------------------------------------------

LETTERHEAD = (
    "Hässelby-Vällingby stadsdelsförvaltning\n"
    "Handläggare: Anna Berg Telefon: 08-508 04 000\n"
    "Till Hässelby-Vällingby stadsdelsnämnd\n\n"
)


def snippet_of(query, title):
    results = document_search.search_documents(query=query, filters=criteria.SearchFilters())
    [hit] = [hit for hit in results.hits if hit.document.title == title]
    return hit.snippet, hit.raw_snippet


def marked(word):
    return f"{language.HEADLINE_START}{word}{language.HEADLINE_STOP}"


def test_snippet_is_the_passage_where_the_words_are_closest_not_the_letterhead(hv):
    filler = "Förvaltningen redovisar arbetet under året. " * 40
    document(
        "Trygghetsrapport",
        f"{LETTERHEAD}{filler}Centrum nämns här. {filler}"
        "Tryggheten i Vällingby centrum har ökat sedan kamerorna sattes upp. " + filler,
    )

    text, raw = snippet_of("trygghet i Vällingby centrum", "Trygghetsrapport")

    assert f"{marked('Tryggheten')} i {marked('Vällingby')} {marked('centrum')} har ökat" in text
    assert "Telefon" not in text
    assert raw == ""


def test_snippet_marks_a_phrase(hv):
    document("Beslutsunderlag", f"{LETTERHEAD}Inledning. Förslag till beslut: nämnden godkänner.")

    text, _raw = snippet_of('"förslag till beslut"', "Beslutsunderlag")

    assert marked("Förslag till beslut") in text


def test_ocr_snippet_in_repaired_reading_with_the_raw_text(client, hv):
    document(
        "Protokollsutdrag",
        "Hasselby-Vallingby stadsdelsférvaltning Telefon 08-508 04 000\n"
        "Stadsdelsnamnden godkénner forvaltningens forslag om angsmark i parken.",
        text_source="ocr",
    )

    text, raw = snippet_of("godkänner ängsmark", "Protokollsutdrag")

    assert text == (
        f"… Stadsdelsnämnden {marked('godkänner')} förvaltningens förslag om "
        f"{marked('ängsmark')} i parken."
    )
    assert raw == (
        f"… Stadsdelsnamnden {marked('godkénner')} forvaltningens forslag om "
        f"{marked('angsmark')} i parken."
    )
    page = client.get("/sok/", {"q": "godkänner ängsmark"}).content.decode()
    assert "<mark>godkänner</mark>" in page
    assert "<summary>Utdraget med rättade å, ä och ö." in page
    assert "<mark>godkénner</mark>" in page


def test_documents_beyond_the_cap_are_an_honest_estimate(client, hv, monkeypatch):
    for n in range(40):
        document(
            f"Remiss om förskolor {n}",
            "Förskolor i Grimsta.",
            document_date=datetime.date(2000 + n % 20, 6, 1 + n // 20),
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchentry")
    monkeypatch.setattr(document_search, "EXACT_LIMIT", 9)

    response = client.get("/sok/", {"q": "förskolor"})

    results = response.context["results"]
    # the 10 newest are from the last 5 years of 20: about a quarter of the whole
    assert (results.total, results.total_capped) == (9, True)
    assert 30 <= results.total_estimate <= 50
    assert f"Cirka {results.total_estimate} träffar" in response.content.decode()


def test_a_page_beyond_the_last_shows_the_last(client, preschools):
    response = client.get("/sok/", {"q": "förskola", "visa": "arenden", "sida": 99})

    found = response.context["case_results"]
    assert (response.status_code, found.page, found.pages, len(found.cases)) == (200, 2, 2, 5)


def test_fast_fold_is_the_one_translation_of_every_glyph():
    from cases.search import snippets

    table = str.maketrans(snippets._FAST_FOLD)
    text = "Förvaltningens 4rende gick till nämnden, godkénner @ 06 # æøüèáà & stadsdelsnämnd"
    every_glyph = "".join(snippets._FAST_FOLD) + text + "".join(snippets._FAST_FOLD)[::-1]

    assert snippets._FOLD_BY_REPLACE
    for sample in (text, every_glyph, "", "ingen glyf här"):
        assert snippets.fast_fold(sample) == sample.translate(table)


@pytest.mark.parametrize(
    "line, letterhead",
    [
        ("Handläggare: Anna Berg", True),
        ("TELEFON 08-508 000 00", True),
        ("E-post: registrator@stockholm.se", True),
        ("Besöksadress Hässelby torg 1", True),
        ("Org.nr 212000-0142", True),
        ("Sida 2 (7)", True),
        ("Dnr HV 2019/250", True),
        ("Växel 08-508 000 00", True),
        ("Förvaltningen föreslår att nämnden godkänner organisationen.", False),
        ("Sidan om postnord och borgen", False),
        ("", False),
    ],
)
def test_letterhead_lines_are_those_the_pattern_finds(line, letterhead):
    from cases.search import snippets

    assert snippets.is_letterhead(line) is letterhead
    assert bool(snippets.LETTERHEAD.search(line)) is letterhead


def test_every_letterhead_alternative_has_a_mark():
    """is_letterhead skips the pattern for lines without a mark: a new alternative of
    LETTERHEAD needs a mark, or its lines would never be found."""
    from cases.search import snippets

    alternatives = snippets.LETTERHEAD.pattern.split("|")
    assert len(alternatives) > 10
    for alternative in alternatives:
        assert any(mark in alternative for mark in snippets.LETTERHEAD_MARKS), alternative


SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


WORD_QUERIES = [
    "förvaltningen",
    "Förskola",
    "HÄSSELBY vällingby",
    '"förslag till beslut"',
    '"trygghet i vällingby centrum"',
    "arbetsmiljö socialsekreterare",
    "nämnden or skrivelse",
    "stadsdelsnämnden beslut",
    "godkänner ärendet",
    "a",
]


@pytest.mark.parametrize("ocr", [False, True], ids=["clean", "ocr"])
def test_word_matches_are_the_matches_at_a_word_start_in_any_case(ocr):
    """word_matches (a lower-case pattern searched in lower-cased text, kept where a word
    starts) finds exactly what the pattern with ``(?<!\\w)`` in front and IGNORECASE finds
    in the text itself, in the seed documents (capitals, OCR damage, words inside words)."""
    import re

    from cases.search import snippets

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    text = "\n".join(texts)[:400_000]
    haystack = snippets.fast_fold(text.lower()) if ocr else snippets.lowered(text)
    assert len(haystack) == len(text)
    compared = found = 0
    for query in WORD_QUERIES:
        for pattern in snippets.term_patterns(language.parse_query(query), None, ocr=ocr):
            reference = re.compile(rf"(?<!\w)(?:{pattern.pattern})", re.IGNORECASE)
            expected = [m.span() for m in reference.finditer(haystack if ocr else text)]
            got = [m.span() for m in snippets.word_matches(pattern, haystack)]
            assert got == expected, (query, pattern.pattern)
            compared += 1
            found += len(got)
    assert compared >= 12 and found > 500


def test_word_matches_find_a_phrase_that_starts_inside_a_word_match():
    """A match inside a word is passed over one character at a time, not to its end: the
    phrase's real match that starts within it is still found."""
    from cases.search import snippets

    (pattern,) = snippets.term_patterns(language.parse_query('"plan för plan"'), None, ocr=False)
    text = "Förplan plan för plan, och Plan"

    spans = [m.span() for m in snippets.word_matches(pattern, snippets.lowered(text))]

    assert [text[start:end] for start, end in spans] == ["plan för plan"]
    assert spans[0][0] == 8


def test_lowered_keeps_every_position():
    from cases.search import snippets

    text = "İstanbul och ÅRE"

    assert snippets.lowered(text) == "İstanbul och åre"
    assert len(snippets.lowered(text)) == len(text)
