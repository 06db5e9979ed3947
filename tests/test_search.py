"""Full-text search on real PostgreSQL: stemming, OCR tolerance, compounds, operators,
facets, snippets and confidentiality."""

import datetime
import time

import pytest
from django.db import connection

from cases.models import Attachment, Document, SearchWord
from cases.search import candidates, criteria, document_search, language, statements
from cases.services import cross_references, indexing, registering
from cases.templatetags.portal import highlight
from tests.factories import CaseFactory, DocumentFactory


def make_document(*, title, text, source="typed", board=None, kind="tjansteutlatande", **extra):
    case = CaseFactory(**({"board": board} if board else {}))
    document = DocumentFactory(
        case=case, title=title, full_text=text, text_source=source, kind=kind, **extra
    )
    indexing.index_document(document=document)
    return document


def hits(query, **filters):
    results = document_search.search_documents(
        query=query, filters=criteria.SearchFilters(**filters)
    )
    return [hit.document.display_title for hit in results.hits]


@pytest.fixture
def corpus(db):
    return {
        "ocr": make_document(
            title="Tjansteutlatande om angsmark",
            text="Forvaltningens forslag. Stadsdelsndmnden godkénner dngsmark. "
            "Bistdndshandldggare och nimnden. Arendet.",
            source="ocr",
            document_date=datetime.date(2019, 8, 7),
        ),
        "clean": make_document(
            title="Arbetsmiljöarbetet i förskolan",
            text="Här beskrivs arbetsmiljöarbetet. Bygglovet för förskolan har beviljats. "
            "Medborgarförslaget om gungor besvaras.",
            document_date=datetime.date(2020, 3, 1),
        ),
    }


def test_search_finds_ocr_text_from_correctly_spelled_query(corpus):
    for query in ["förvaltningen", "ängsmark", "nämnden", "biståndshandläggare", "ärendet"]:
        assert hits(query) == ["Tjansteutlatande om angsmark"], query


def test_search_stems_swedish(corpus):
    assert hits("förskolor") == ["Arbetsmiljöarbetet i förskolan"]


def test_search_compounds(corpus):
    assert hits("arbetsmiljö") == ["Arbetsmiljöarbetet i förskolan"]
    assert hits("bygglov") == ["Arbetsmiljöarbetet i förskolan"]
    assert sorted(hits("förslag")) == [
        "Arbetsmiljöarbetet i förskolan",
        "Tjansteutlatande om angsmark",
    ]


def test_search_clean_text_keeps_diacritics_distinct(db):
    make_document(title="Mål för året", text="Nämndens mål är tydliga.")

    assert hits("mal") == []
    assert hits("mål") == ["Mål för året"]
    assert hits("har") == []


def test_search_websearch_operators(corpus):
    assert hits('"förskolan har beviljats"') == ["Arbetsmiljöarbetet i förskolan"]
    assert hits("ängsmark -gungor") == ["Tjansteutlatande om angsmark"]
    assert sorted(hits("gungor or ängsmark")) == [
        "Arbetsmiljöarbetet i förskolan",
        "Tjansteutlatande om angsmark",
    ]


def test_search_ranks_title_match_first(db):
    make_document(title="Budget 2020", text="Parkbänkar nämns i förbigående.")
    make_document(title="Parkbänkar i Vällingby", text="Förslaget gäller parkbänkar.")

    assert hits("parkbänkar") == ["Parkbänkar i Vällingby", "Budget 2020"]


def test_search_never_shows_confidential_or_unpublished(db):
    make_document(title="Öppen handling om skolgården", text="Skolgården ska rustas.")
    make_document(
        title="Hemlig handling om skolgården",
        text="Skolgården och en elevs hälsa.",
        confidential=True,
        osl_reference="23 kap. 2 §",
    )
    make_document(title="Opublicerad om skolgården", text="Skolgården.", published=False)

    results = document_search.search_documents(query="skolgården", filters=criteria.SearchFilters())

    assert [h.document.title for h in results.hits] == ["Öppen handling om skolgården"]
    assert results.total == 1
    assert [(f.label, f.count) for f in results.facets["kind"]] == [("Tjänsteutlåtande", 1)]
    assert document_search.suggest_spelling(language.parse_query("elefs")) is None


def test_search_facet_counts_equal_list_counts(corpus, hv, ks):
    make_document(title="Remiss om gungor", text="Gungor i parken.", board=ks, kind="remiss")

    results = document_search.search_documents(query="gungor", filters=criteria.SearchFilters())
    board_counts = {f.label: f.count for f in results.facets["board"]}

    assert results.total == 2
    for label, count in board_counts.items():
        board = next(f for f in results.facets["board"] if f.label == label)
        filtered = document_search.search_documents(
            query="gungor",
            filters=criteria.SearchFilters(board=hv if board.value == hv.slug else ks),
        )
        assert filtered.total == count
    assert board_counts == {"Hässelby-Vällingby": 1, "Kommunstyrelsen": 1}


def test_search_snippet_escapes_script(client, db):
    make_document(title="Skrivelse", text="Angående <script>alert('x')</script> parkbänkar.")

    html = client.get("/sok/", {"q": "parkbänkar"}).content.decode()

    assert "<script>alert" not in html
    assert "<mark>parkbänkar</mark>" in html


def test_highlight_filter_escapes_before_marking():
    snippet = (
        f"<script>alert(1)</script> {language.HEADLINE_START}parkbänkar{language.HEADLINE_STOP}"
    )

    assert highlight(snippet) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>parkbänkar</mark>"


def test_search_suggests_spelling_from_public_vocabulary(db):
    make_document(title="Parkbänkar", text="Parkbänkar i Grimsta.")
    indexing.rebuild_search_vocabulary()

    results = document_search.search_documents(query="parkbänkr", filters=criteria.SearchFilters())

    assert results.total == 0
    assert results.suggestion == "parkbänk"


def test_search_page_routes_dnr_query_to_case(client, hv):
    case = registering.register_case(
        board=hv, dnr="HV 2019/272", title="Ängsmark", registered_on=datetime.date(2019, 5, 2)
    )

    response = client.get("/sok/", {"q": "hv2019-272"})

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_search_page_bad_date_is_400_in_swedish(client, db):
    response = client.get("/sok/", {"q": "skola", "fran": "igår"})

    assert response.status_code == 400
    assert "Datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2019-08-29." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_search_page_query_count_constant(client, db, django_assert_max_num_queries, count):
    for n in range(count):
        make_document(title=f"Parkbänkar {n}", text="Parkbänkar i Grimsta.")

    with django_assert_max_num_queries(12):
        response = client.get("/sok/", {"q": "parkbänkar"})

    assert response.status_code == 200
    assert len(response.context["results"].hits) == count


def test_document_kind_filter(corpus):
    assert sorted(hits("förslag", kind=Document.Kind.REPORT_TU)) == [
        "Arbetsmiljöarbetet i förskolan",
        "Tjansteutlatande om angsmark",
    ]
    assert hits("förslag", kind=Document.Kind.DECISION) == []


def test_personnummer_masked_and_not_searchable(client, db):
    document = make_document(
        title="Skrivelse från 19121212-1212", text="Sökande 121212-1212 vill ha parkbänkar."
    )

    page = client.get(document.case.get_absolute_url()).content.decode()

    assert "1212-1212" not in page.replace("121212-XXXX", "")
    assert "121212-XXXX" in page
    assert hits("121212-1212") == []
    assert hits("parkbänkar") == ["Skrivelse från 19121212-XXXX"]


def test_protected_title_words_are_not_searchable(db):
    make_document(
        title="Orosanmälan Kalle Anka",
        text="Handlingen gäller parkbänkar.",
        title_protected=True,
    )

    assert hits("orosanmälan") == []
    assert hits("parkbänkar") == ["[Skyddat]"]


def test_search_offers_nearly_matching_dnr(client, hv):
    case = registering.register_case(
        board=hv, dnr="HV 2019/254", title="Skrivelse", registered_on=datetime.date(2019, 5, 2)
    )

    response = client.get("/sok/", {"q": "VH 2019/254"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Inget ärende med diarienummer VH 2019/254" in html
    assert f'Menade du <a href="{case.get_absolute_url()}">HV 2019/254</a>' in html


def test_zero_hits_with_filter_offers_query_without_filter(client, hv, ks):
    make_document(title="Gungor", text="Gungor i parken.", board=hv)

    response = client.get("/sok/", {"q": "gungor", "namnd": ks.slug})

    assert response.context["results"].total == 0
    assert response.context["results"].unfiltered_total == 1
    assert response.context["results"].suggestion is None  # the word is right, the filter not
    assert "Utan avgränsningar finns 1 träff:" in response.content.decode()


def test_capped_result_says_counts_cover_the_newest_hits(client, db, monkeypatch):
    monkeypatch.setattr(document_search, "EXACT_LIMIT", 2)
    for day in (1, 2, 3):
        make_document(
            title=f"Parkbänkar {day}",
            text="Parkbänkar i parken.",
            document_date=datetime.date(2020, 1, day),
        )

    response = client.get("/sok/", {"q": "parkbänkar"})

    html = response.content.decode()
    assert response.context["results"].total_capped
    assert "Fler än 2 träffar" in html
    assert "Antalen avser de 2 nyaste träffarna." in html
    assert [hit.document.title for hit in response.context["results"].hits] == [
        "Parkbänkar 3",
        "Parkbänkar 2",
    ]


def test_vocabulary_follows_indexing_without_a_rebuild(db):
    make_document(title="Parkbänkar", text="Parkbänkar i Grimsta.")

    results = document_search.search_documents(query="parkbänkr", filters=criteria.SearchFilters())

    assert results.suggestion == "parkbänk"


def test_vocabulary_forgets_words_only_a_now_confidential_document_has(db):
    shared = make_document(title="Gungor", text="Gungor i Grimsta.")
    secret = make_document(title="Skyddat boende", text="Skyddsboendet Lindgården i Grimsta.")
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"lindgård", "grimst"} <= words

    secret.confidential = True
    secret.osl_reference = "26 kap. 1 §"
    secret.save()
    indexing.index_document(document=secret)

    words = set(SearchWord.objects.values_list("word", flat=True))
    assert "lindgård" not in words
    assert "grimst" in words  # the public document still has it
    results = document_search.search_documents(query="lindgårdn", filters=criteria.SearchFilters())
    assert results.total == 0
    assert results.suggestion is None
    assert shared.pk


def test_ocr_spelling_with_a_digit_is_found_through_the_vocabulary(db):
    document = make_document(
        title="Rapport", text="Rapport 6ver arbetet mot felaktiga utbetalningar.", source="ocr"
    )

    assert [
        hit.document
        for hit in document_search.search_documents(
            query="över arbetet", filters=criteria.SearchFilters()
        ).hits
    ] == [document]


def test_snippet_shows_a_match_deep_in_a_long_document(db):
    filler = "Inledning om verksamheten och dess mål. " * 2000  # about 80,000 characters
    make_document(title="Rapport", text=f"{filler} Här nämns parkbänkarna i Grimsta. {filler}")

    results = document_search.search_documents(query="parkbänkar", filters=criteria.SearchFilters())

    snippet = results.hits[0].snippet
    assert f"{language.HEADLINE_START}parkbänkarna{language.HEADLINE_STOP}" in snippet


def test_dnr_query_lists_the_case_and_the_documents_that_refer_to_it(client, hv, ks):
    remiss = registering.register_case(
        board=ks, dnr="KS 2019/656", title="Remiss", registered_on=datetime.date(2019, 5, 2)
    )
    own = DocumentFactory(case=remiss, title="Remissbrev", full_text="Remiss om samverkan.")
    answer = make_document(
        title="Svar på remiss",
        text="Remiss från kommunstyrelsen, dnr KS 2019/656. Förvaltningen tillstyrker.",
        board=hv,
    )
    cross_references.record_references(document=answer)
    indexing.index_document(document=own)
    secret = make_document(
        title="Hemligt svar",
        text="Angående KS 2019/656.",
        board=hv,
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    cross_references.record_references(document=secret)
    unrelated = make_document(title="Annat", text="År 2019 kom 656 synpunkter.", board=hv)

    results = document_search.search_documents(
        query="ks 2019-656", filters=criteria.SearchFilters()
    )

    found = {hit.document for hit in results.hits}
    assert found == {own, answer}
    assert unrelated not in found and secret not in found
    snippet = next(hit.snippet for hit in results.hits if hit.document == answer)
    assert f"{language.HEADLINE_START}KS 2019/656{language.HEADLINE_STOP}" in snippet
    response = client.get("/sok/export.csv", {"q": "ks 2019-656"})
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert csv_text.count("\r\n") == 3  # header and the two public documents
    assert "Hemligt" not in csv_text


def test_vocabulary_forgets_the_words_of_an_attachment_made_confidential(db):
    document = make_document(title="Beslut", text="Beslut om Grimsta.")
    attachment = Attachment.objects.create(
        document=document, number=1, title="Utredning", text="Skyddsboendet Lindgården."
    )
    indexing.index_document(document=document)
    assert SearchWord.objects.filter(word="lindgård").exists()

    attachment.confidential = True
    attachment.osl_reference = "26 kap. 1 §"
    attachment.save()
    indexing.index_document(document=document)

    assert not SearchWord.objects.filter(word="lindgård").exists()
    assert SearchWord.objects.filter(word="grimst").exists()


@pytest.mark.parametrize("query", ["parkbänkar", '"parkbänkar i grimsta"'])
@pytest.mark.parametrize("cutoff_day", [2, 5])  # the slice holds enough hits, or too few
def test_search_from_the_newest_slice_equals_the_whole_search(db, monkeypatch, cutoff_day, query):
    for day in range(1, 8):
        make_document(
            title=f"Parkbänkar {day}",
            text="Parkbänkar i Grimsta." if day != 6 else "Gungor.",
            document_date=datetime.date(2020, 1, day),
        )
    monkeypatch.setattr(document_search, "EXACT_LIMIT", 3)
    whole = document_search.search_documents(query=query, filters=criteria.SearchFilters())

    monkeypatch.setattr(
        candidates, "recent_cutoff", lambda *args, **kwargs: datetime.date(2020, 1, cutoff_day)
    )
    sliced = document_search.search_documents(query=query, filters=criteria.SearchFilters())

    assert [h.document.title for h in sliced.hits] == [h.document.title for h in whole.hits]
    assert (sliced.total, sliced.total_capped) == (whole.total, whole.total_capped) == (3, True)
    assert [h.document.title for h in whole.hits][0] == "Parkbänkar 7"


def test_recent_cutoff_needs_a_large_analysed_table(db):
    make_document(title="Parkbänkar", text="Parkbänkar.")

    assert candidates.recent_cutoff() is None


def test_recent_cutoff_is_the_date_of_the_newest_tenth(db, monkeypatch):
    for day in range(1, 31):
        make_document(
            title=f"Parkbänkar {day}", text="Parkbänkar.", document_date=datetime.date(2020, 1, day)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchentry")
    monkeypatch.setattr(candidates, "MIN_SLICE_ENTRIES", 1)

    assert candidates.recent_cutoff() == datetime.date(2020, 1, 28)


def test_recent_cutoff_is_read_once_a_minute(db, monkeypatch, django_assert_num_queries):
    for day in range(1, 31):
        make_document(
            title=f"Parkbänkar {day}", text="Parkbänkar.", document_date=datetime.date(2020, 1, day)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchentry")
    monkeypatch.setattr(candidates, "MIN_SLICE_ENTRIES", 1)
    assert candidates.recent_cutoff() == datetime.date(2020, 1, 28)
    for day in range(1, 11):
        make_document(
            title=f"Parkbänkar {day} februari",
            text="Parkbänkar.",
            document_date=datetime.date(2020, 2, day),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchentry")

    with django_assert_num_queries(0):
        assert candidates.recent_cutoff() == datetime.date(2020, 1, 28)
    clock = time.monotonic() + candidates.CUTOFF_TTL_SECONDS + 1
    monkeypatch.setattr(candidates.time, "monotonic", lambda: clock)
    with django_assert_num_queries(1):
        assert candidates.recent_cutoff() == datetime.date(2020, 2, 7)


def test_gin_matches_since_a_date(db):
    for day in (1, 2, 3):
        make_document(
            title=f"Parkbänkar {day}", text="Parkbänkar.", document_date=datetime.date(2020, 1, day)
        )
    parsed = language.parse_query("parkbänkar")
    since = datetime.date(2020, 1, 2)
    where, params = statements.where_sql(criteria.SearchFilters(date_from=since))

    sql, params = statements.gin_statement(parsed, None, where, params, "date DESC", since)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        dates = [row[1] for row in cursor.fetchall()]

    assert dates == [datetime.date(2020, 1, 3), datetime.date(2020, 1, 2)]


def test_phrase_matches_since_a_date_through_the_pair_index(db):
    for day in (1, 2, 3):
        make_document(
            title=f"Parkbänkar {day}",
            text="Nya parkbänkar i Grimsta." if day != 3 else "Grimsta parkbänkar.",
            document_date=datetime.date(2020, 1, day),
        )
    make_document(
        title="Gammal", text="Parkbänkar i Grimsta.", document_date=datetime.date(2019, 1, 1)
    )
    parsed = language.parse_query('"parkbänkar i grimsta"')
    since = datetime.date(2020, 1, 1)
    where, params = statements.where_sql(criteria.SearchFilters(date_from=since))
    pairs = candidates.phrase_pairs(parsed)

    sql, params = statements.gin_statement(parsed, None, where, params, "date DESC", since, pairs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        dates = [row[1] for row in cursor.fetchall()]

    assert "cases_search_phrase_matches_since" in sql
    assert dates == [datetime.date(2020, 1, 2), datetime.date(2020, 1, 1)]


def test_search_vectors_stay_in_the_row_below_8_kb(db):
    # A newest-first walk tests one vector per entry: out of the row (TOAST) each costs an
    # index lookup and a fetch of chunks (migration 0011).
    text = " ".join(f"ord{n}x" for n in range(400))  # a vector of about 5 kB
    document = make_document(title="Långt protokoll", text=text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(clean_vector), reltoastrelid::regclass::text "
            "FROM cases_searchentry, pg_class WHERE document_id = %s "
            "AND pg_class.oid = 'cases_searchentry'::regclass",
            [document.pk],
        )
        size, toast_table = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {toast_table}")
        toasted_chunks = cursor.fetchone()[0]

    assert size > 4000
    assert toasted_chunks == 0


def test_search_indexes_keep_no_pending_list(db):
    # With GIN's fastupdate every search also reads the unsorted list of new entries, which
    # a few hundred documents fill (migration 0014): each new entry goes into the index.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reloptions FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' "
            "AND i.indrelid IN ('cases_searchentry'::regclass, 'cases_searchword'::regclass)"
        )
        options = dict(cursor.fetchall())

    assert set(options) == {
        "search_clean_vector_gin",
        "search_ocr_vector_gin",
        "search_phrase_pairs_gin",
        "search_word_trgm",
    }
    assert all(value == ["fastupdate=off"] for value in options.values()), options


def test_phrase_pairs_only_for_phrase_queries(db):
    assert candidates.phrase_pairs(language.parse_query("förslag till beslut")) is None
    assert candidates.phrase_pairs(language.parse_query('"förslag till beslut" parkbänkar')) is None
    assert candidates.phrase_pairs(language.parse_query('"förslag"')) is None
    assert candidates.phrase_pairs(language.parse_query('"förslag till beslut"')) == (
        ["c2 förslag beslut"],
        ["o2 forslag beslut"],
    )

    clean, ocr = candidates.phrase_pairs(
        language.parse_query('"förbättrad arbetssituation" -buller')
    )

    assert clean == ["c1 förbättr arbetssituation"]
    assert ocr == ["o1 forbattr arbetssituation"]


def gin_titles(query):
    parsed = language.parse_query(query)
    where, params = statements.where_sql(criteria.SearchFilters())
    pairs = candidates.phrase_pairs(parsed)
    assert pairs is not None
    sql, params = statements.gin_statement(parsed, None, where, params, "date DESC", pairs=pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.title FROM ({sql}) m JOIN cases_document d ON d.id = m.document_id", params
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_phrase_found_through_the_pair_index(db):
    make_document(title="I ordning", text="En handlingsplan för förbättrad arbetssituation.")
    make_document(
        title="OCR i ordning",
        text="Handlingsplan for forbéttrad arbetssituation i socialtjdnsten.",
        source="ocr",
    )
    make_document(title="Omkastad", text="Arbetssituation som förbättrad handlingsplan.")
    make_document(title="Isär", text="Förbättrad styrning och en god arbetssituation.")

    assert gin_titles('"förbättrad arbetssituation"') == ["I ordning", "OCR i ordning"]
    assert gin_titles('"handlingsplan för förbättrad arbetssituation"') == [
        "I ordning",
        "OCR i ordning",
    ]
    assert sorted(hits('"förbättrad arbetssituation"')) == ["I ordning", "OCR i ordning"]


@pytest.mark.parametrize(
    "phrase",
    [
        "förslag till beslut",
        "stadsdelsnämnden godkänner",
        "förvaltningens förslag",
        "Hässelby-Vällingby stadsdelsnämnd",
        "ekonomiskt bistånd",
        "förvaltningens förslag till beslut",
    ],
)
def test_pair_index_holds_every_phrase_match_of_the_seeds(imported, phrase):
    # The pair index must answer a superset of the phrase, or the search would miss matches.
    parsed = language.parse_query(f'"{phrase}"')
    match_sql, match_params = statements.match_condition(parsed)
    pairs = candidates.phrase_pairs(parsed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE {match_sql}), "
            f"count(*) FILTER (WHERE {match_sql} AND (cases_phrase_pairs(clean_vector, "
            "ocr_vector) @> %s::text[] OR cases_phrase_pairs(clean_vector, ocr_vector) @> "
            "%s::text[])) FROM cases_searchentry",
            [*match_params, *match_params, *pairs],
        )
        matches, with_pairs = cursor.fetchone()

    assert matches > 0
    assert with_pairs == matches
