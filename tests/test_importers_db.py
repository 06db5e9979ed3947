"""The seeds imported into the register (real PostgreSQL): cases, documents, meeting,
references both ways, aliases, personal data, idempotence and rollback."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DataError
from django.db.models import Count

from cases.importers import quality
from cases.models import (
    AgendaItem,
    Case,
    CaseAlias,
    Document,
    Meeting,
    PersonalDataFinding,
    Reference,
    SearchEntry,
)
from cases.services import importing

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


def snapshot() -> dict:
    return {
        "cases": sorted(
            Case.objects.values_list("board__short_name", "dnr", "title", "registered_on", "status")
        ),
        "documents": sorted(
            Document.objects.values_list(
                "case__dnr",
                "sequence",
                "kind",
                "title",
                "document_date",
                "clean_text",
                "ocr_quality",
                "source_start",
                "source_end",
            )
        ),
        "references": sorted(
            Reference.objects.values_list("id", "source_id", "dnr_key", "status", "target_id")
        ),
        "aliases": sorted(CaseAlias.objects.values_list("case__dnr", "dnr")),
        "agenda": sorted(AgendaItem.objects.values_list("number", "title", "case__dnr")),
        "findings": sorted(PersonalDataFinding.objects.values_list("id", "kind", "start")),
        "history": Case.history.count() + Document.history.count(),
    }


def test_import_meeting_with_agenda_items(imported):
    meeting = Meeting.objects.get(board__short_name="Hässelby-Vällingby")

    items = list(meeting.items.values_list("number", "case__dnr"))

    assert meeting.date == datetime.date(2019, 8, 29)
    assert items == [
        (3, "HV 2019/272"),
        (4, "HV 2019/12"),
        (5, "HV 2019/16"),
        (6, "HV 2019/376"),
        (7, "HV 2019/374"),
        (8, "HV 2019/420"),
        (9, "HV 2019/307"),
        (10, "HV 2019/250"),
        (11, "HV 2019/167"),
        (12, "HV 2019/168"),
        (13, "HV 2019/169"),
        (14, "HV 2019/334"),
        (15, "HV 2019/375"),
        (16, "HV 2019/82"),
        (17, "HV 2019/8"),
        (18, "HV 2019/9"),
    ]
    assert meeting.items.get(number=6).title == "Månadsrapport juli 2019"


def test_import_documents_per_kind(imported):
    kinds = dict(
        Document.objects.filter(source_file__endswith="002_749fa453a4c97fcd.txt")
        .values_list("kind")
        .annotate(n=Count("id"))
    )

    assert kinds == {
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


def test_import_tu_references_all_three_proposals(imported):
    tu = Document.objects.get(
        kind="tjansteutlatande", title="Medborgarförslag om att omvandla gräsmattor till ängsmark"
    )
    answered = {tu.case.dnr} | {
        r.target.dnr for r in tu.references.filter(relation="svar-pa", status="resolved")
    }

    assert answered == {"HV 2019/272", "HV 2019/259", "HV 2019/19"}


@pytest.mark.parametrize(
    ("ks_dnr", "hv_dnr"), [("KS 2019/729", "HV 2019/307"), ("KS 2019/656", "HV 2019/250")]
)
def test_import_cross_board_pairs_linked_both_ways(imported, ks_dnr, hv_dnr):
    ks_case = Case.objects.get(dnr=ks_dnr, board__short_name="Kommunstyrelsen")
    hv_case = Case.objects.get(dnr=hv_dnr, board__short_name="Hässelby-Vällingby")

    forward = Reference.objects.filter(source__case=hv_case, target=ks_case).exists()
    backward = {r.source.case for r in ks_case.incoming_references.all()}

    assert forward is True
    assert backward == {hv_case}


def test_import_aliases_and_near_miss(imported):
    aliases = sorted(CaseAlias.objects.values_list("case__dnr", "dnr"))
    near_miss = list(
        Reference.objects.filter(status="near_miss").values_list("raw", "suspected_target__dnr")
    )

    assert aliases == [("HV 2019/12", "1.2.4-231-2019"), ("HV 2019/19", "1.2.4-346-2019")]
    assert near_miss == [("VH 2019/254", "HV 2019/254")]


def test_import_cases_from_lists_with_status(imported):
    cancelled = Case.objects.get(dnr="HV 2019/371")
    protected = Case.objects.get(dnr="HV 2019/246")

    assert (cancelled.status, cancelled.cancelled_reason, cancelled.title) == (
        "makulerat",
        "Felregistrerat",
        "Klagomål",
    )
    assert (protected.title_protected, protected.display_title) == (True, "[Skyddat]")
    assert Case.objects.filter(board__short_name="Hässelby-Vällingby").count() == 222


def test_import_provisional_numbers_for_documents_without_dnr(imported):
    provisional = sorted(
        Case.objects.filter(dnr__startswith="PREL ").values_list("board__short_name", "dnr")
    )

    assert provisional == [
        ("Järva", "PREL 2025/1"),
        ("Skärholmen", "PREL 2022/1"),
        ("Socialnämnden", "PREL 2025/1"),
    ]


def test_import_rows_record_source_positions(imported):
    text = (SEEDS / "002_749fa453a4c97fcd.txt").read_text(encoding="utf-8")
    document = Document.objects.get(title="Månadsrapport juli 2019 — ekonomi och verksamhet")

    assert document.source_file == "demo/seeds/002_749fa453a4c97fcd.txt"
    assert text[document.source_start : document.source_end] == document.full_text
    assert document.full_text.startswith(" Ekonomi Dnr HV 2019/376\n 2019-08-12\n")


def test_import_restores_diacritics_in_ocr_titles_only(imported):
    ocr_titles = Document.objects.filter(text_source="ocr").values_list("title", flat=True)
    typed_titles = Document.objects.filter(text_source="typed").values_list("title", flat=True)
    unknown = [
        title
        for title in ocr_titles
        if not all(map(quality.is_known_word, quality.word_tokens(title)))
    ]

    assert Case.objects.get(dnr="HV 2019/248").title == "Polisanmälan inbrottsförsök förskola"
    assert AgendaItem.objects.get(number=7).title == (
        "Riktlinjer för direktupphandling för Hässelby-Vällingby stadsdelsnämnd"
    )
    assert sorted(typed_titles) == [
        "Otillåten påverkan av myndighetsutövning",
        "Skrivelse angående arbetsmiljö socialsekreterare",
    ]
    # Imported as OCR spelled them, 46 of the 49 titles had a word the list does not know.
    assert (len(ocr_titles), len(unknown)) == (49, 5)


def test_import_indexes_every_document(imported):
    assert SearchEntry.objects.count() == Document.objects.count()


def test_import_flags_phone_number_for_review(imported):
    findings = list(PersonalDataFinding.objects.values_list("kind", "masked_value"))

    assert findings == [("telefon", "076-XXX XX 08")]


def test_import_twice_changes_nothing(imported):
    before = snapshot()

    call_command("import_documents", str(SEEDS), board="Hässelby-Vällingby", verbosity=0)

    assert snapshot() == before


def test_import_corrected_pack_updates_in_place(imported, tmp_path):
    source = SEEDS / "003_9a413c8b3096659a.txt"
    corrected = tmp_path / "003.txt"
    corrected.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    call_command("import_documents", str(corrected), verbosity=0)
    first = Document.objects.get(source_file=str(corrected.resolve()))
    text = source.read_text(encoding="utf-8").replace(
        "Otillåten påverkan av", "Otillbörlig påverkan av"
    )
    corrected.write_text(text, encoding="utf-8")

    call_command("import_documents", str(corrected), verbosity=0)

    again = Document.objects.get(source_file=str(corrected.resolve()))
    assert (again.pk, again.title, again.case_id) == (
        first.pk,
        "Otillbörlig påverkan av myndighetsutövning",
        first.case_id,
    )


def test_import_failing_halfway_leaves_register_unchanged(imported, tmp_path, hv):
    pack = tmp_path / "lista.txt"
    pack.write_text(
        "Arendelista\n18\nHV 2019/9\n\n\nHV 2019/900 Nytt ärende som skapas först\n",
        encoding="utf-8",
    )
    before = snapshot()

    # The cases are written first; the document row then breaks the 500-character limit of
    # its source name, so the whole file must be undone.
    with pytest.raises(DataError):
        importing.import_file(path=pack, board=hv, source_file="x" * 600)

    assert snapshot() == before
    assert Case.objects.filter(dnr="HV 2019/900").exists() is False


def test_import_reads_windows_1252_text(hv, tmp_path):
    pack = tmp_path / "lista.txt"
    pack.write_bytes(
        "Arendelista\n18\nHV 2019/9\n\n\nHV 2019/900 Nytt ärende om Hässelby strand\n".encode(
            "cp1252"
        )
    )

    importing.import_file(path=pack, board=hv, source_file="lista.txt")

    assert Case.objects.get(dnr="HV 2019/900").title == "Nytt ärende om Hässelby strand"
