"""CSV and XLSX exports of search results for Swedish Excel."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from cases import exports
from cases.models import Board, Case, Meeting
from cases.services import cross_references, indexing, registering
from tests.factories import CaseFactory, DocumentFactory


def add(title, *, text="Parkbänkar i Grimsta.", date=datetime.date(2019, 8, 7), case=None, **kw):
    case = case or CaseFactory()
    document = DocumentFactory(case=case, title=title, full_text=text, document_date=date, **kw)
    indexing.index_document(document=document)
    return document


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_export_format_bom_delimiter_crlf(client, db):
    add("Parkbänkar i Vällingby")

    response = client.get("/sok/export.csv", {"q": "parkbänkar"})
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeffDiarienummer;Nämnd;Rubrik;".encode())
    assert body.count(b"\r\n") == 2
    assert b"\n" not in body.replace(b"\r\n", b"")


def test_csv_export_title_with_semicolon_quotes_newline_round_trips(client, db):
    title = 'Svar på "förslag"; gungor\noch rutschkanor'
    add(title)

    rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar"}))

    assert rows[0] == exports.COLUMNS
    assert rows[1][2] == title
    assert len(rows[1]) == len(exports.COLUMNS)


def test_csv_export_neutralises_formulas(client, db):
    add('=HYPERLINK("http://example.com")')
    add("+46 8 508 000", date=datetime.date(2019, 8, 6))
    add("-1+1", date=datetime.date(2019, 8, 5))
    add("@SUM(A1)", date=datetime.date(2019, 8, 4))

    rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar", "sortering": "nyast"}))

    assert [row[2] for row in rows[1:]] == [
        '\'=HYPERLINK("http://example.com")',
        "'+46 8 508 000",
        "'-1+1",
        "'@SUM(A1)",
    ]


def test_csv_export_has_no_confidential_or_unpublished_rows(client, db):
    add("Öppen")
    add("Hemlig", confidential=True, osl_reference="26 kap. 1 §")
    add("Opublicerad", published=False)

    rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar"}))

    assert [row[2] for row in rows[1:]] == ["Öppen"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "parkbänkar"},
        {"q": "parkbänkar", "sortering": "aldst"},
        {"q": "parkbänkar -gungor", "sortering": "nyast"},
        {"q": "gungor or parkbänkar", "typ": "beslut"},
        {"q": "", "namnd": "hasselby-vallingby", "fran": "2019-08-03"},
    ],
)
def test_export_equals_search_result(client, hv, params):
    for day in range(1, 8):
        add(
            f"Handling {day}",
            text="Parkbänkar i Grimsta." + (" Gungor." if day % 2 else ""),
            date=datetime.date(2019, 8, day),
            kind="beslut" if day % 3 == 0 else "tjansteutlatande",
        )

    page = client.get("/sok/", params).context["results"]
    rows = read_csv(client.get("/sok/export.csv", params))

    shown = [(h.document.case.dnr_key, h.document.title) for h in page.hits]
    assert [(row[0], row[2]) for row in rows[1:]] == shown
    assert len(shown) == page.total


@pytest.mark.parametrize("count", [1, 3])
def test_csv_export_query_count_does_not_grow(client, db, django_assert_num_queries, count):
    for n in range(count):
        add(f"Handling {n}", date=datetime.date(2019, 8, n + 1))

    # the default choice (spellings, cases counted: none), then spellings, table statistics,
    # ids, one batch of rows
    with django_assert_num_queries(6):
        rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar"}))

    assert len(rows) == count + 1


def test_csv_export_over_the_limit_ends_with_a_clear_message(client, db, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    for n in range(3):
        add(f"Handling {n}", date=datetime.date(2019, 8, n + 1))

    rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar", "sortering": "nyast"}))

    assert [row[2] for row in rows[1:3]] == ["Handling 2", "Handling 1"]
    assert len(rows) == 4
    assert rows[3][0].startswith("Exporten slutar här: resultatet har fler än 2 rader")


def test_xlsx_export_over_the_limit_is_a_clear_400(client, db, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    for n in range(3):
        add(f"Handling {n}")

    response = client.get("/sok/export.xlsx", {"q": "parkbänkar"})

    assert response.status_code == 400
    assert "fler än 2 rader" in response.content.decode()


def test_export_at_the_limit_has_no_message(client, db, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    for n in range(2):
        add(f"Handling {n}")

    rows = read_csv(client.get("/sok/export.csv", {"q": "parkbänkar"}))

    assert len(rows) == 3


def test_export_filename_says_what_it_is(client, db):
    add("Handling")

    response = client.get("/sok/export.csv", {"q": "Parkbänkar"})

    today = datetime.date.today().isoformat()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="handlingar-parkbankar-{today}.csv"'
    )


def test_xlsx_export_has_typed_cells(client, db):
    document = add("=1+1 är inte en formel")

    response = client.get("/sok/export.xlsx", {"q": "parkbänkar"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    header, row = list(sheet.iter_rows(values_only=True))

    assert list(header) == exports.COLUMNS
    assert row[0] == document.case.dnr_key
    assert row[2] == "=1+1 är inte en formel"
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert row[4] == datetime.datetime(2019, 8, 7)
    assert sheet.cell(row=2, column=5).is_date


def test_export_rows_include_references_and_link(db, hv):
    target = registering.register_case(
        board=hv, dnr="HV 2019/19", title="Gungor", registered_on=datetime.date(2019, 1, 10)
    )
    document = add("Svar", text="Svar på medborgarförslag HV 2019/19 och HV 2019/259.")
    cross_references.record_references(document=document)

    [row] = list(exports.export_rows([document.pk], base_url="https://portal.example"))

    assert row[9] == "HV 2019/19|HV 2019/259"
    assert row[10] == f"https://portal.example{document.case.get_absolute_url()}"
    assert target.incoming_references.count() == 1


@pytest.mark.parametrize(
    "dnr_key",
    ["HV 2019/272", "1.2.4-346-2019", "3.1.1-12/2018", "T 2011-250-02217", "PREL 2025/1", "Å 1/2"],
)
def test_export_link_is_the_case_page_url(dnr_key):
    case_path = exports._case_path_function()
    board = Board(slug="hasselby-vallingby")

    assert case_path(board.slug, dnr_key) == Case(board=board, dnr_key=dnr_key).get_absolute_url()


def test_export_row_columns_from_case_decision_and_references(db, hv):
    case = registering.register_case(
        board=hv, dnr="HV 2019/272", title="Ängsmark", registered_on=datetime.date(2019, 6, 6)
    )
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))
    registering.record_decision(
        case=case, meeting=meeting, decided_on=datetime.date(2019, 8, 29), text="Besvarat."
    )
    document = add(
        "Svar till 19800101-1231",
        text="Svar på HV 2019/19, HV 2019/259 och åter HV 2019/19.",
        case=case,
        kind="tjansteutlatande",
        officer="",
    )
    cross_references.record_references(document=document)
    protected = add("Hemlig rubrik", case=case, title_protected=True, public_title="")

    rows = list(exports.export_rows([protected.pk, document.pk], base_url="https://p.example"))

    assert rows[0][2] == "[Skyddat]"
    row = rows[1]
    assert row[:4] == ["HV 2019/272", hv.name, "Svar till 19800101-XXXX", "Tjänsteutlåtande"]
    assert row[5] == "Pågående"
    assert row[7] == datetime.date(2019, 8, 29)
    assert row[8] == "§ 1"
    assert row[9] == "HV 2019/19|HV 2019/259"
