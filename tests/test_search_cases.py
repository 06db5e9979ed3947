"""Cases found by their own title (CaseSearchEntry): a case of an ärendelista has a number
and a title and often no documents, and must still be found."""

import datetime

import pytest

from cases.models import Board, Case
from cases.search import criteria, document_search, language
from cases.services import indexing, registering
from tests.factories import CaseFactory, DocumentFactory


def case(title, **fields):
    created = CaseFactory(title=title, **fields)
    indexing.index_case(case=created)
    return created


def found(query, **filters):
    results = document_search.search_documents(
        query=query, filters=criteria.SearchFilters(**filters)
    )
    return [c.dnr for c in results.case_hits]


@pytest.fixture
def hv(db):
    return Board.objects.get(short_name="Hässelby-Vällingby")


def test_a_case_without_documents_is_found_by_its_title(hv):
    drones = case("Medborgarförslag om drönare istället för polishelikoptrar")
    case("Medborgarförslag om parkbänkar i Grimsta")

    assert found("drönare polishelikopter") == [drones.dnr]
    assert found("polishelikoptrar") == [drones.dnr]


def test_case_hits_on_the_search_page(client, hv):
    drones = case("Medborgarförslag om drönare istället för polishelikoptrar")

    response = client.get("/sok/", {"q": "drönare"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ärenden vars ärendemening matchar" in page
    assert drones.get_absolute_url() in page
    # no document matches, and the page says so without claiming there is nothing at all
    assert "Ingen handling matchar" in page
    assert "Sökningen gav inga träffar" not in page


def test_typed_title_keeps_a_with_dots_and_ocr_title_is_tolerant(hv):
    typed = case("Bänkar i Grimsta")
    scanned = case("Synpunkt på koppargardens vård och omsorgsboende", title_from_ocr=True)

    assert found("bankar") == []
    assert found("bänkar") == [typed.dnr]
    assert found("Koppargården") == [scanned.dnr]


def test_protected_and_cancelled_cases_stay_hidden(hv):
    protected = case(
        "Anmälan om Kalle Anka på Gungvägen",
        title_protected=True,
        public_title="Anmälan enligt socialtjänstlagen",
    )
    cancelled = case("Medborgarförslag om gungor i Grimsta")
    registering.change_case_status(case=cancelled, status=Case.Status.CANCELLED, note="Fel nummer")

    assert found("Gungvägen") == []
    assert found("socialtjänstlagen") == [protected.dnr]
    assert found("gungor") == []


def test_case_hits_follow_the_filters(hv):
    ks = Board.objects.get(short_name="Kommunstyrelsen")
    mine = case("Utegym i Nälsta", board=hv)
    theirs = case("Utegym i Vällingby centrum", board=ks, dnr="KS 2019/900", dnr_key="KS 2019/900")

    assert sorted(found("utegym")) == sorted([mine.dnr, theirs.dnr])
    assert found("utegym", board=hv) == [mine.dnr]
    assert found("utegym", kind="tjansteutlatande") == []  # a case has no document kind
    assert found("utegym", date_from=datetime.date(2020, 1, 1)) == []


def test_case_hits_rank_the_best_title_first_and_count_the_rest(hv):
    for n in range(7):
        case(f"Synpunkter om parkskötsel nr {n}")
    best = case("Parkskötsel och parkskötsel i parker")

    results = document_search.search_documents(
        query="parkskötsel", filters=criteria.SearchFilters()
    )
    cases, total, capped = document_search.case_hits(
        language.parse_query("parkskötsel"), criteria.SearchFilters(), limit=3
    )

    assert results.case_hits[0] == best
    assert (len(cases), total, capped) == (3, 8, False)


def test_index_case_follows_title_changes(hv):
    changed = case("Skrivelse om belysning")
    changed.title = "Skrivelse om snöröjning"
    changed.save()
    indexing.reindex_case(case=changed)

    assert found("belysning") == []
    assert found("snöröjning") == [changed.dnr]


def test_registered_and_imported_cases_are_indexed(hv):
    registered = registering.register_case(
        board=hv,
        dnr="HV 2019/901",
        title="Remiss om cykelbanor",
        registered_on=datetime.date(2019, 9, 1),
    )
    DocumentFactory(case=registered)

    assert found("cykelbanor") == [registered.dnr]


def test_a_number_with_words_searches_the_words_in_that_case(hv):
    from tests.test_search import make_document

    mine = make_document(title="Tjänsteutlåtande om ängsmark", text="Ängsmark i Grimsta.")
    make_document(title="Tjänsteutlåtande om ängsmark i Nälsta", text="Ängsmark i Nälsta.")
    dnr = mine.case.dnr

    for query in (f"{dnr} ängsmark", f"ängsmark {dnr}"):
        results = document_search.search_documents(query=query, filters=criteria.SearchFilters())
        assert [hit.document for hit in results.hits] == [mine], query
    assert criteria.split_dnr("ängsmark 2019/12") == ("", "ängsmark 2019/12")


def test_words_joined_by_a_slash_in_a_title_are_words(hv):
    corner = case("Byggetablering Mabårsstigen/Fyrspannsgatan")

    assert found("Fyrspannsgatan") == [corner.dnr]
    assert language.split_slashes("HV 2019/272 och/eller") == "HV 2019/272 och / eller"


def test_a_number_of_an_unknown_series_is_searched_as_words(hv):
    from tests.test_search import make_document

    plan = make_document(
        title="Reviderad handlingsplan 2019-2022", text="Handlingsplanen 2019-2022 gäller."
    )

    for query in ("handlingsplanen 2019-2022", "reviderade handlingsplanen 2019-2022"):
        words, filters = criteria.resolve_dnr_query(query, criteria.SearchFilters())
        assert (words, filters.dnr) == (query, None)
    assert criteria.split_dnr("reviderade handlingsplanen 2019-2022") == (
        "",
        "reviderade handlingsplanen 2019-2022",
    )
    results = document_search.search_documents(
        query="handlingsplanen 2019-2022", filters=criteria.SearchFilters()
    )
    assert [hit.document for hit in results.hits] == [plan]
