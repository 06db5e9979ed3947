"""The pure parsing of the importer (no database): the seeds split into documents, metadata
recovered from damaged headers, cleaned text, text quality and personal data."""

import datetime
from collections import Counter
from pathlib import Path

import pytest

from cases.importers import quality
from cases.importers.cleaning import split_lines
from cases.importers.lists import parse_case_list
from cases.importers.spelling import restore_diacritics
from cases.importers.text_pack import parse_text_pack
from cases.personal_data import find_personal_data, mask_personal_numbers

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"
HV = "Hässelby-Vällingby"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pack():
    return parse_text_pack(seed("002"), board=HV, source_name="002.txt")


def documents_of(pack, dnr: str):
    return [d for d in pack.documents if pack.cases[d.case].dnr == dnr]


def test_pack_documents_split_by_kind(pack):
    kinds = Counter(d.kind for d in pack.documents)

    assert dict(kinds) == {
        "tjansteutlatande": 19,
        "medborgarforslag": 5,
        "bilaga": 11,
        "motion": 1,
        "remiss": 1,
        "protokollsutdrag": 4,
        "rapport": 4,
        "e-post": 2,
        "arendelista": 1,
    }


def test_pack_documents_keep_exact_titles(pack):
    titles = {(d.kind, d.title) for d in pack.documents}

    assert ("tjansteutlatande", "Månadsrapport juli 2019 — ekonomi och verksamhet") in titles
    assert ("remiss", "Remiss av Motion om staden behöver fler Stockholmsrum") in titles
    assert ("motion", "Staden behöver fler Stockholmstrum") in titles
    assert (
        "medborgarforslag",
        "Utrusta en lekplats med en gunga till barn som är rullstolsburna",
    ) in titles
    assert ("bilaga", "Mall för dokumentation för direktupphandling över 100 000 kr") in titles
    assert ("arendelista", "Ärendelista") in titles


def test_pack_meeting_and_agenda_items(pack):
    items = [(e.number, pack.cases[e.case].dnr, e.inferred) for e in pack.agenda]

    assert pack.meeting_date == datetime.date(2019, 8, 29)
    assert items == [
        (3, "HV 2019/272", True),
        (4, "HV 2019/12", True),
        (5, "HV 2019/16", False),
        (6, "HV 2019/376", False),
        (7, "HV 2019/374", False),
        (8, "HV 2019/420", False),
        (9, "HV 2019/307", False),
        (10, "HV 2019/250", False),
        (11, "HV 2019/167", False),
        (12, "HV 2019/168", False),
        (13, "HV 2019/169", False),
        (14, "HV 2019/334", False),
        (15, "HV 2019/375", True),
        (16, "HV 2019/82", True),
        (17, "HV 2019/8", True),
        (18, "HV 2019/9", False),
    ]


def test_pack_tu_answering_three_proposals_takes_each_mail_to_its_case(pack):
    mails = [d for d in pack.documents if d.kind == "medborgarforslag"]

    assert [(pack.cases[d.case].dnr, d.meta.document_date) for d in mails[:3]] == [
        ("HV 2019/19", datetime.date(2019, 4, 13)),
        ("HV 2019/259", datetime.date(2019, 6, 3)),
        ("HV 2019/272", datetime.date(2019, 6, 6)),
    ]


def test_pack_damaged_headers_recovered(pack):
    angsmark = documents_of(pack, "HV 2019/272")[0]
    nalsta = documents_of(pack, "HV 2019/12")[0]
    gungor = documents_of(pack, "HV 2019/16")[0]
    riktlinjer = documents_of(pack, "HV 2019/374")[0]

    assert (angsmark.kind, angsmark.title) == (
        "tjansteutlatande",
        "Medborgarförslag om att omvandla gräsmattor till ängsmark",
    )
    assert angsmark.meta.meeting_date == datetime.date(2019, 8, 29)
    assert (nalsta.title, nalsta.meta.document_date) == (
        "Medborgarförslag om förändringar vid Nälsta utomhusgym",
        datetime.date(2019, 7, 2),
    )
    assert (gungor.title, gungor.meta.document_date) == (
        "Medborgarförslag om funktionshindersanpassade gungor",
        datetime.date(2019, 6, 25),
    )
    assert (riktlinjer.meta.document_date, riktlinjer.meta.officer) == (
        datetime.date(2019, 8, 7),
        "Catharina Liljedahl",
    )


def test_pack_missing_header_page_dnr_from_agenda(pack):
    first = {pack.cases[d.case].dnr: d.title for d in pack.documents if d.main}

    assert first["HV 2019/168"].startswith("Rapport om arbetet med handlingsplan")
    assert first["HV 2019/169"] == (
        "Rapport över arbetet mot felaktiga utbetalningar och bidragsbrott 2018"
    )
    assert first["HV 2019/334"] == (
        "Stockholms stads handlingsplan för förbättrad arbetssituation för socialsekreterare "
        "och biståndshandläggare 2019-2022"
    )


def test_pack_case_titles_prefer_agenda_then_list(pack):
    titles = {info.dnr: info.title for info in pack.cases.values()}

    assert titles["HV 2019/374"] == (
        "Riktlinjer för direktupphandling för Hässelby-Vällingby stadsdelsnämnd"
    )
    assert titles["HV 2019/259"] == "Medborgarförslag om att lata gräsmattor bli ängsmark"
    assert titles["KS 2019/729"] == "Motion om staden behöver fler Stockholmsrum"
    assert titles["3.2.2-109/2019"].startswith("Inriktning av FoU-medel")


def test_pack_cases_of_other_boards(pack):
    foreign = sorted((i.board, i.dnr) for i in pack.cases.values() if i.board != HV)

    assert foreign == [
        ("Kommunstyrelsen", "KS 2019/656"),
        ("Kommunstyrelsen", "KS 2019/729"),
        ("Socialnämnden", "3.1.1-12/2018"),
        ("Socialnämnden", "3.1.1-217/2019"),
        ("Socialnämnden", "3.1.1-23/2019"),
        ("Socialnämnden", "3.2.2-109/2019"),
    ]


def test_pack_old_numbers_become_aliases(pack):
    aliases = {info.dnr: info.aliases for info in pack.cases.values() if info.aliases}

    assert aliases == {"HV 2019/12": ["1.2.4-231-2019"], "HV 2019/19": ["1.2.4-346-2019"]}


def test_pack_every_case_of_the_case_list(pack):
    listed = {info.dnr for info in pack.cases.values() if info.board == HV}

    assert {f"HV 2019/{n}" for n in range(210, 421)} <= listed


def test_case_list_reads_cancelled_and_protected_rows():
    lines = split_lines(
        "HV 2019/371 [MAKULERAD:Felregistrerat]Klagomal\n\nHV 2019/246 [Skyddat]\n"
        "HV 2019/392\n\nSynpunkter pa Fristads servicehus\n"
    )

    rows = [(r.dnr, r.title, r.cancelled_reason, r.protected) for r in parse_case_list(lines)]

    assert rows == [
        ("HV 2019/371", "Klagomal", "Felregistrerat", False),
        ("HV 2019/246", "[Skyddat]", None, True),
        ("HV 2019/392", "Synpunkter pa Fristads servicehus", None, False),
    ]


def test_clean_text_drops_page_furniture(pack):
    riktlinjer = [d for d in pack.documents if d.title.startswith("Tillämpningsanvisningar")][0]
    report = documents_of(pack, "HV 2019/376")[0]

    assert "Error!" in riktlinjer.full_text
    assert "Error!" not in riktlinjer.clean_text
    assert "Vaxel 08-50804000" in report.full_text
    assert "Vaxel 08-50804000" not in report.clean_text
    assert "Sida 8 (8)" not in report.clean_text


def test_clean_text_joins_words_hyphenated_at_line_end():
    pack = parse_text_pack(
        " Rapport\n\nForslag till beslut\nNamnden godkanner.\n\nArbetet med social-\n"
        "sekreterare fortsatter.\n",
        board=HV,
    )

    assert "socialsekreterare fortsatter." in pack.documents[0].clean_text


def test_ocr_quality_higher_for_ocr_than_typed():
    ocr = quality.unknown_word_share(seed("002"))
    typed = quality.unknown_word_share(seed("003"))

    assert ocr > 0.15
    assert typed < 0.02
    assert ocr > typed


@pytest.mark.parametrize(
    ("prefix", "expected"), [("000", True), ("002", True), ("003", False), ("004", False)]
)
def test_text_source_detects_ocr(prefix, expected):
    assert quality.looks_like_ocr(seed(prefix)) is expected


def test_typed_seed_gets_board_and_header_fields():
    pack = parse_text_pack(seed("003"), board=HV, source_name="003.txt")
    document = pack.documents[0]
    case = pack.cases[document.case]

    assert (case.board, case.provisional, case.title) == (
        "Skärholmen",
        True,
        "Otillåten påverkan av myndighetsutövning",
    )
    assert (document.kind, document.text_source, document.meta.meeting_date) == (
        "tjansteutlatande",
        "typed",
        datetime.date(2022, 5, 19),
    )
    assert (document.meta.officer, document.meta.officer_phone) == (
        "Ylva Kuylenstierna",
        "08-508 242 52",
    )
    assert document.meta.proposal == (
        "Stadsdelsnämnden godkänner förvaltningens tjänsteutlåtande som svar på skrivelsen."
    )
    assert document.meta.attachment_list == [
        "Skrivelse från socialdemokraterna, vänsterpartiet och feministiskt initiativ"
    ]
    assert document.meta.attested_by == [
        {"name": "Patrik Åhnberg", "role": "Stadsdelsdirektör", "date": "2022-04-19"},
        {"name": "Anna Toll", "role": "Avdelningschef", "date": "2022-04-19"},
    ]


def test_ocr_seed_without_header_gets_board_from_proposal():
    pack = parse_text_pack(seed("000"), board=HV, source_name="000.txt")
    case = pack.cases[pack.documents[0].case]

    assert (case.board, case.dates) == ("Järva", [datetime.date(2025, 4, 24)])


def test_personal_number_found_with_check_digit_and_masked():
    text = "Sökande 811218-9876 och 19811218-9876."

    found = [(m.kind, m.masked) for m in find_personal_data(text)]

    assert found == [("personnummer", "811218-XXXX"), ("personnummer", "19811218-XXXX")]
    assert mask_personal_numbers(text) == "Sökande 811218-XXXX och 19811218-XXXX."


def test_personal_number_not_confused_with_phone():
    text = "Telefon: 0850805178 och Tel 8112189876, ej giltigt 811218-9875, org 212000-0142"

    assert find_personal_data(text) == []
    assert mask_personal_numbers(text) == text


def test_private_mail_and_phone_found_public_ones_not():
    text = (
        "anna.a@gmail.com, dani.cohen@stockholm.se, no_reply@insynsverige.se, "
        "ring 070-123 45 67 eller 08-508 04 052"
    )

    found = [(m.kind, m.masked) for m in find_personal_data(text)]

    assert found == [("e-post", "a***@gmail.com"), ("telefon", "070-XXX XX 67")]


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("Medborgarforslag om forandringar", "Medborgarförslag om förändringar"),
        ("Polisanmalan inbrottsférsok forskola", "Polisanmälan inbrottsförsök förskola"),
        ("Rapport 6ver arbetet", "Rapport över arbetet"),
        ("Enkait till medarbetare", "Enkät till medarbetare"),
        ("Manadsrapport juli 2019", "Månadsrapport juli 2019"),
        ("Utvérdering av ledarutvecklingsprojekt", "Utvärdering av ledarutvecklingsprojekt"),
        (
            "Riktlinjer for direktupphandling for Hasselby-Villingby stadsdelsnamnd",
            "Riktlinjer för direktupphandling för Hässelby-Vällingby stadsdelsnämnd",
        ),
        (
            "Samlingsdrende for dverenskommelse mellan anstallande forvaltning",
            "Samlingsärende för överenskommelse mellan anställande förvaltning",
        ),
        (
            "Medborgarforslag om forandringar vid Nalsta",
            "Medborgarförslag om förändringar vid Nälsta",
        ),
        ("Klagomal pa vard och omsorg", "Klagomål på vård och omsorg"),
        ("Arendelista", "Ärendelista"),
        ("MANADSRAPPORT", "MÅNADSRAPPORT"),
    ],
)
def test_restore_diacritics_repairs_ocr_words(ocr, expected):
    assert restore_diacritics(ocr) == expected


@pytest.mark.parametrize(
    ("ocr", "expected"),
    [
        ("studieresor ar 2020", "studieresor år 2020"),
        ("enskilda 18-30 ar aktuella", "enskilda 18-30 år aktuella"),
        ("barn som ar rullstolsburna", "barn som är rullstolsburna"),
        ("platsen 4r outnyttjad", "platsen är outnyttjad"),
    ],
)
def test_restore_diacritics_ar_is_year_next_to_a_number(ocr, expected):
    assert restore_diacritics(ocr) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Otillåten påverkan av myndighetsutövning",
        "Skrivelse angående arbetsmiljö socialsekreterare",
        "Nämnden har svarat",
        "Klagomål på förskolan Tumultgrand",
        "Svar på remiss HV 2019/12 (LSS), 2 bilagor",
    ],
)
def test_restore_diacritics_leaves_known_words_names_and_dnr(title):
    assert restore_diacritics(title) == title


def test_restore_diacritics_keeps_punctuation_and_spacing():
    title = "  Beslut § 16 socialnimndens sammantride: HV 2019/12 – 16 april 2019 (Sol)  "

    assert restore_diacritics(title) == (
        "  Beslut § 16 socialnämndens sammanträde: HV 2019/12 – 16 april 2019 (Sol)  "
    )


def test_pack_ocr_titles_restored_text_kept(pack):
    report = documents_of(pack, "HV 2019/376")[0]
    text = seed("002")

    assert report.title == "Månadsrapport juli 2019 — ekonomi och verksamhet"
    assert pack.cases[report.case].title == "Månadsrapport juli 2019"
    assert text[report.source_start : report.source_end] == report.full_text
    assert "Manadsrapport juli 2019" in report.full_text


def test_pack_agenda_titles_restored(pack):
    titles = {e.number: e.title for e in pack.agenda}

    assert titles[4] == "Medborgarförslag om förändringar vid Nälsta utomhusgym"
    assert titles[18] == "Ärendelista"


def test_pack_ocr_titles_keep_few_unknown_words(pack):
    ocr_titles = [d.title for d in pack.documents if d.text_source == "ocr"]
    case_titles = [info.title for info in pack.cases.values()]

    def with_unknown_word(titles):
        return [t for t in titles if not all(map(quality.is_known_word, quality.word_tokens(t)))]

    # As OCR spelled them, 45 of the 48 document titles and 201 of the 228 case titles had a
    # word the list does not know; what is left is mostly names and glued words.
    assert len(ocr_titles) == 48
    assert len(with_unknown_word(ocr_titles)) == 4
    assert len(case_titles) == 228
    assert len(with_unknown_word(case_titles)) == 23


TYPED_TU = """Handläggare
Anna Andersson
Telefon: 08-508 04 000
Till
Hässelby-Vällingby stadsdelsnämnd
2019-08-29
Dnr HV 2019/501

{title}

Förslag till beslut
Stadsdelsnämnden godkänner förvaltningens tjänsteutlåtande.
"""


def test_typed_titles_never_restored():
    pack = parse_text_pack(TYPED_TU.format(title="Sluten tank vid Grimsta"), board=HV)
    document = pack.documents[0]

    assert (document.text_source, document.title) == ("typed", "Sluten tank vid Grimsta")
    assert pack.cases[document.case].title == "Sluten tank vid Grimsta"


def test_ocr_titles_restored_in_a_short_document():
    text = TYPED_TU.format(title="Parkbinkar i Grimsta").translate(str.maketrans("åäö", "aao"))
    text = text.replace("godkanner", "godkénner").replace("forvaltningens", "f6rvaltningens")

    pack = parse_text_pack(text, board=HV)
    document = pack.documents[0]

    assert (document.text_source, document.title) == ("ocr", "Parkbänkar i Grimsta")
    assert "Parkbinkar i Grimsta" in document.full_text
