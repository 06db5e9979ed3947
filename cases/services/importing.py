"""Import of meeting packs and single documents (OCR'd text, typed text, PDF, DOCX).

The files are parsed by ``cases.importers`` (pure Python) and written here. A PDF or DOCX is
one transaction; a text file is read in batches (``importers.batches``), each ending where a
handling starts and committed together with the file's ``ImportProgress`` row, so a batch is
never half written and a stopped import resumes after the last committed batch. A re-import
updates the same rows in place (cases, documents and attachments can never be deleted).
"""

import dataclasses
import datetime
import pathlib
from collections.abc import Callable

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import dnr as dnrlib
from .. import personal_data
from ..importers import batches, docx, files, metadata, pdf, text_pack
from ..models import (
    AgendaItem,
    Board,
    Case,
    CaseStatus,
    CaseStatusChange,
    Document,
    ImportProgress,
    Meeting,
    PersonalDataFinding,
    Reference,
    ReferenceStatus,
    SearchEntry,
)
from ..queries import board_catalogue, boards_by_short_name
from . import registering
from .cross_references import record_references, resolve_reference
from .indexing import index_case, index_cases, index_document
from .registering import (
    add_case_alias,
    add_document,
    change_case_status,
    parse_case_dnr,
    register_case,
)


@dataclasses.dataclass
class ImportResult:
    """What one imported file changed; ``warnings`` are Swedish, for the summary."""

    source_file: str
    cases_created: int = 0
    cases_updated: int = 0
    documents_created: int = 0
    documents_updated: int = 0
    references_created: int = 0
    references_removed: int = 0
    findings: int = 0
    meeting: Meeting | None = None
    agenda_items: int = 0
    documents_by_kind: dict[str, int] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    retitled_cases: set[int] = dataclasses.field(default_factory=set)
    new_case_ids: set[int] = dataclasses.field(default_factory=set)


# What a bad file raises: each has a Swedish message for the per-file summary.
FILE_ERRORS = (files.FileRefused, pdf.PdfError, docx.DocxError, registering.RegisterError)


def import_file(
    *,
    path: pathlib.Path,
    board: Board,
    source_file: str,
    meeting_date: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
    batch_bytes: int | None = None,
) -> ImportResult:
    """Import one .txt, .pdf or .docx file; ``source_file`` is the name stored on every row.

    A text file is imported in batches of about ``batch_bytes`` (``PORTAL_IMPORT_BATCH_BYTES``)
    that each commit on their own and end where a document starts; a run that is stopped
    resumes after the last committed batch. A PDF or DOCX is one transaction. A file that
    cannot be read raises one of ``FILE_ERRORS`` with a Swedish message (an OSError becomes
    ``files.FileRefused``); the batch it happened in changes nothing.
    """
    try:
        if path.suffix.lower() == ".txt":
            return _import_text_file(path, board, source_file, meeting_date, progress, batch_bytes)
        return _import_binary_file(path, board, source_file, meeting_date, progress)
    except OSError as error:
        raise files.FileRefused(files.describe_os_error(error)) from error


@transaction.atomic
def _import_binary_file(path, board, source_file, meeting_date, progress) -> ImportResult:
    _lock_source(source_file)
    data = path.read_bytes()
    if not data:
        raise files.FileRefused("Filen är tom.")
    if path.suffix.lower() == ".pdf":
        content = pdf.read_pdf(data)
        if content.text_source == "none":
            return _import_scan(content, board=board, source_file=source_file, path=path)
        text, forced_source = content.text, Document.TextSource.TEXT_LAYER
    else:
        text, forced_source = docx.read_docx(data), Document.TextSource.TYPED
        if not text.strip():
            raise files.FileRefused("DOCX-filen innehåller ingen text.")
    pack = _parse(text, board, source_file, meeting_date)
    for document in pack.documents:
        document.text_source = forced_source
    return import_parsed_pack(pack=pack, source_file=source_file, progress=progress)


def _parse(text: str, board: Board, source_file: str, meeting_date) -> text_pack.ParsedPack:
    return text_pack.parse_text_pack(
        text,
        board=board.short_name,
        boards=board_catalogue(),
        meeting_date=meeting_date,
        source_name=source_file,
    )


def _lock_source(source_file: str) -> None:
    """Two runs importing the same file (two workers, a command beside a worker) take turns,
    a transaction (one batch) at a time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"import-file:{source_file}"],
        )


def _import_text_file(path, board, source_file, meeting_date, progress, batch_bytes):
    encoding = files.detect_encoding(path)
    size, digest = files.fingerprint(path)
    result = ImportResult(source_file=source_file)
    resumed = _begin_progress(source_file, size=size, digest=digest)
    if resumed:
        result.warnings.append(
            f"{path.name}: fortsätter efter {resumed.batches} inlästa omgångar "
            f"(från byte {resumed.offset} av {size}), där en avbruten inläsning slutade."
        )
    stamp = files.stamp(path)
    while not _import_batch(
        path,
        board,
        source_file,
        meeting_date,
        progress,
        batch_bytes=batch_bytes or settings.PORTAL_IMPORT_BATCH_BYTES,
        encoding=encoding,
        stamp=stamp,
        result=result,
    ):
        # Under DEBUG Django keeps the last 9,000 statements with their parameters (the
        # handlings' texts): emptied after each batch so the memory stays flat.
        reset_queries()
    return result


@transaction.atomic
def _begin_progress(source_file: str, *, size: int, digest: str) -> ImportProgress | None:
    """The progress row of the file, reset unless it records an unfinished run of the same
    content; returns it when the run resumes."""
    _lock_source(source_file)
    record, _created = ImportProgress.objects.select_for_update().get_or_create(
        source_file=source_file, defaults={"size": size, "sha256": digest}
    )
    if record.offset and not record.finished_at and (record.size, record.sha256) == (size, digest):
        return record
    record.size, record.sha256, record.offset, record.chars = size, digest, 0, 0
    record.batches, record.finished_at = 0, None
    record.save()
    return None


@transaction.atomic
def _import_batch(
    path, board, source_file, meeting_date, progress, *, batch_bytes, encoding, stamp, result
) -> bool:
    """Import the next batch of the file and record it, in one transaction; True when the
    file is done."""
    _lock_source(source_file)
    record = ImportProgress.objects.select_for_update().get(source_file=source_file)
    if record.finished_at:
        return True  # another run finished it meanwhile
    batch = batches.read_batch(path, offset=record.offset, size=batch_bytes, encoding=encoding)
    pack = _parse(batch.text, board, source_file, meeting_date)
    for document in pack.documents:
        document.source_start += record.chars
        document.source_end += record.chars
    whole = record.offset == 0 and batch.last
    span = None if whole else (record.chars, None if batch.last else record.chars + len(batch.text))
    part = import_parsed_pack(pack=pack, source_file=source_file, progress=progress, span=span)
    if files.stamp(path) != stamp:
        raise files.FileRefused(
            "Filen ändrades medan den lästes in. Det som redan sparats finns kvar; läs in "
            "filen igen."
        )
    record.offset, record.chars = batch.end, record.chars + len(batch.text)
    record.batches += 1
    record.finished_at = timezone.now() if batch.last else None
    record.save()
    _add_up(result, part)
    return batch.last


def _add_up(total: ImportResult, part: ImportResult) -> None:
    for field in dataclasses.fields(ImportResult):
        value = getattr(part, field.name)
        if isinstance(value, int):
            setattr(total, field.name, getattr(total, field.name) + value)
    for kind, count in part.documents_by_kind.items():
        total.documents_by_kind[kind] = total.documents_by_kind.get(kind, 0) + count
    total.warnings.extend(part.warnings)
    total.meeting = total.meeting or part.meeting
    total.retitled_cases |= part.retitled_cases
    total.new_case_ids |= part.new_case_ids


@transaction.atomic
def import_parsed_pack(
    *,
    pack,
    source_file: str,
    progress: Callable[[str], None] | None = None,
    span: tuple[int, int | None] | None = None,
) -> ImportResult:
    """Write a ``ParsedPack``: cases first (so references resolve), then documents, then the
    meeting and its agenda items. ``span`` (start, end or None) is the part of the source
    file a batch holds: only the rows an earlier import made from that part are matched."""
    result = ImportResult(source_file=source_file, warnings=list(pack.warnings))
    boards = boards_by_short_name()
    cases = _register_new_cases(pack, boards, result)
    earlier = Document.objects.filter(source_file=source_file)
    if span is not None:
        earlier = earlier.filter(source_start__gte=span[0])
        if span[1] is not None:
            earlier = earlier.filter(source_start__lt=span[1])
    for ref, info in pack.cases.items():
        cases[ref] = _import_case(info, boards[info.board], earlier, result, cases.get(ref))
    existing = list(earlier.order_by("source_start"))
    used: set[int] = set()
    for parsed in pack.documents:
        document = _import_document(parsed, cases[parsed.case], existing, used, result)
        if progress:
            progress(f"{document.case.dnr}-{document.sequence} {document.title[:60]}")
    left = [d for d in existing if d.pk not in used]
    if left:
        result.warnings.append(
            f"{len(left)} handlingar från en tidigare import av filen finns inte längre i den "
            "(ändras inte; granska och makulera vid behov)."
        )
    if pack.meeting_date and pack.agenda:
        _import_meeting(pack, boards[pack.board], cases, source_file, result)
    return result


def _register_new_cases(pack, boards: dict[str, Board], result: ImportResult) -> dict:
    """Register the pack's numbered cases the register does not have yet, in bulk.

    Does what ``register_case`` does for each (parsed number, first status change, history
    row, pending references resolved) with a handful of queries instead of ten per case: a
    meeting pack lists hundreds of cases.
    """
    wanted = {ref: info for ref, info in pack.cases.items() if not info.provisional}
    known = Case.objects.filter(dnr_key__in=[info.key for info in wanted.values()])
    found = {(case.board_id, case.dnr_key): case for case in known}
    new = []
    for info in wanted.values():
        board = boards[info.board]
        if (board.pk, info.key) in found:
            continue
        parsed = parse_case_dnr(info.dnr, board=board)
        new.append(
            Case(
                board=board,
                dnr=info.dnr,
                dnr_key=parsed.key,
                dnr_year=parsed.year,
                dnr_number=parsed.number,
                title=info.title or f"Ärende {info.dnr}",
                title_protected=info.protected,
                title_from_ocr=info.title_from_ocr,
                registered_on=min(info.dates) if info.dates else timezone.localdate(),
                officer=info.officer,
            )
        )
    created = bulk_create_with_history(new, Case) if new else []
    index_cases([case.pk for case in created])
    CaseStatusChange.objects.bulk_create(
        [CaseStatusChange(case=case, from_status="", to_status=case.status) for case in created]
    )
    result.cases_created += len(created)
    result.new_case_ids.update(case.pk for case in created)
    pending = Reference.objects.filter(dnr_key__in=[case.dnr_key for case in created]).exclude(
        status=ReferenceStatus.RESOLVED
    )
    for reference in pending.select_related("board"):
        resolve_reference(reference)
        reference.save(update_fields=["status", "target", "suspected_target"])
    by_key = {(case.board_id, case.dnr_key): case for case in [*found.values(), *created]}
    return {
        ref: by_key[(boards[info.board].pk, info.key)]
        for ref, info in wanted.items()
        if (boards[info.board].pk, info.key) in by_key
    }


def _import_case(info, board: Board, earlier, result: ImportResult, case: Case | None) -> Case:
    """Register or update one case of the pack; ``earlier`` are the rows an earlier import
    made from the same part of the file."""
    registered_on = min(info.dates) if info.dates else timezone.localdate()
    title = info.title or f"Ärende {info.dnr}"
    if info.provisional:
        case = _provisional_case(board, earlier)
    if case is None:
        dnr = info.dnr
        if info.provisional:
            dnr = _next_provisional(board, registered_on.year, dnrlib.PROVISIONAL_PREFIX)
        case = register_case(
            board=board,
            dnr=dnr,
            title=title,
            registered_on=registered_on,
            officer=info.officer,
            title_protected=info.protected,
        )
        result.cases_created += 1
        result.new_case_ids.add(case.pk)
    changes = {
        "title": title,
        "title_from_ocr": info.title_from_ocr,
        "registered_on": min(registered_on, case.registered_on)
        if not info.provisional
        else registered_on,
        "title_protected": info.protected or case.title_protected,
        "officer": case.officer or info.officer,
    }
    changed = [field for field, value in changes.items() if getattr(case, field) != value]
    if {"title", "title_protected"} & set(changed):
        result.retitled_cases.add(case.pk)
    if changed:
        for field in changed:
            setattr(case, field, changes[field])
        case.save(update_fields=[*changed, "updated_at"])
        index_case(case=case)
        if case.pk not in result.new_case_ids:
            result.cases_updated += 1
    known_aliases = set(case.aliases.values_list("dnr", flat=True)) if info.aliases else set()
    for alias in info.aliases:
        if alias not in known_aliases:
            add_case_alias(case=case, dnr=alias)
    if info.cancelled_reason and case.status != CaseStatus.CANCELLED:
        change_case_status(
            case=case, status=CaseStatus.CANCELLED, note=info.cancelled_reason, changed_by="import"
        )
        case.refresh_from_db()
    return case


def _provisional_case(board: Board, earlier) -> Case | None:
    """The provisional case this part of the file's document was registered under last time."""
    earlier = (
        earlier.filter(case__board=board, case__dnr_key__startswith=f"{dnrlib.PROVISIONAL_PREFIX} ")
        .select_related("case")
        .order_by("source_start")
        .first()
    )
    return earlier.case if earlier else None


def _next_provisional(board: Board, year: int, prefix: str) -> str:
    """``PREL 2022/1``: a number that can never be mistaken for the board's own series."""
    Case.objects.select_for_update().filter(board=board, dnr_year=year).exists()
    highest = (
        Case.objects.filter(board=board, dnr_year=year, dnr_key__startswith=f"{prefix} ").aggregate(
            highest=Max("dnr_number")
        )["highest"]
        or 0
    )
    return f"{prefix} {year}/{highest + 1}"


def _import_document(parsed, case: Case, existing, used: set[int], result: ImportResult):
    """Write one parsed handling (a new row, or the row an earlier import of the file made,
    updated in place), then its references, personal-data findings and search row. Over the
    house limit by the mapping of the importer's eighteen columns, kept in one place."""
    meta = parsed.meta
    fields = {
        "document_date": meta.document_date,
        "direction": parsed.direction,
        "counterpart": parsed.counterpart,
        "officer": meta.officer[:200],
        "summary": meta.summary,
        "full_text": parsed.full_text,
        "clean_text": parsed.clean_text,
        "text_source": parsed.text_source,
        "ocr_quality": parsed.ocr_quality,
        "proposal": meta.proposal,
        "meeting_date": meta.meeting_date,
        "officer_phone": meta.officer_phone[:40],
        "signatories": meta.signatories,
        "attachment_list": meta.attachment_list,
        "attested_by": meta.attested_by,
        "source_file": result.source_file,
        "source_start": parsed.source_start,
        "source_end": parsed.source_end,
    }
    result.documents_by_kind[parsed.kind] = result.documents_by_kind.get(parsed.kind, 0) + 1
    document = _match_document(parsed, case, existing, used)
    if document is None:
        before = 0
        document = add_document(case=case, title=parsed.title, kind=parsed.kind, **fields)
        result.documents_created += 1
        used.add(document.pk)
        changed_text, changed = True, ["*"]
    else:
        before = document.references.count()
        changes = {"title": parsed.title, "kind": parsed.kind, **fields}
        changed = [f for f, value in changes.items() if getattr(document, f) != value]
        changed_text = "full_text" in changed or document.case_id != case.pk
        if document.case_id != case.pk:
            # A corrected pack put the handling in another case: it takes that case's next
            # number (the old number is not reused).
            document.case = case
            document.sequence = (case.documents.aggregate(last=Max("sequence"))["last"] or 0) + 1
            changed += ["case", "sequence"]
        if changed:
            for field in changed:
                if field not in ("case", "sequence"):
                    setattr(document, field, changes[field])
            document.save(update_fields=[*changed, "updated_at"])
            result.documents_updated += 1
        if changed_text:
            record_references(document=document)
    after = document.references.count()
    result.references_created += max(0, after - before)
    result.references_removed += max(0, before - after)
    if changed_text or document.personal_data.count() == 0:
        result.findings += _sync_findings(document)
    else:
        result.findings += document.personal_data.count()
    # The search row depends on the document's and its case's titles and texts.
    stale = changed or case.pk in result.retitled_cases
    if stale or not SearchEntry.objects.filter(document=document).exists():
        index_document(document=document)
    return document


def _match_document(parsed, case: Case, existing, used: set[int]):
    """The row an earlier import of the same file made for this handling: same case, kind
    and title; else same kind and title (moved to another case); else same case and kind
    in file order (its title was corrected)."""
    tests = (
        lambda d: d.case_id == case.pk and d.kind == parsed.kind and d.title == parsed.title,
        lambda d: d.kind == parsed.kind and d.title == parsed.title,
        lambda d: d.case_id == case.pk and d.kind == parsed.kind,
    )
    for test in tests:
        for document in existing:
            if document.pk not in used and test(document):
                used.add(document.pk)
                return document
    return None


def _sync_findings(document: Document) -> int:
    """Personal data in the text, kept in step with earlier findings: a finding a
    registrator has reviewed keeps its review when the text has not moved it."""
    found = personal_data.find_personal_data(document.full_text)
    current = {(f.kind, f.masked_value, f.start): f for f in document.personal_data.all()}
    wanted = {(m.kind, m.masked, m.start): m for m in found}
    stale = [f.pk for key, f in current.items() if key not in wanted]
    PersonalDataFinding.objects.filter(pk__in=stale).delete()
    PersonalDataFinding.objects.bulk_create(
        [
            PersonalDataFinding(
                document=document,
                kind=m.kind,
                masked_value=m.masked[:80],
                start=m.start,
                end=m.end,
            )
            for key, m in wanted.items()
            if key not in current
        ]
    )
    return len(wanted)


def _import_meeting(pack, board: Board, cases, source_file: str, result: ImportResult) -> None:
    meeting, _created = Meeting.objects.get_or_create(
        board=board, date=pack.meeting_date, defaults={"source_file": source_file}
    )
    if not meeting.source_file:
        meeting.source_file = source_file
        meeting.save(update_fields=["source_file"])
    for entry in pack.agenda:
        case = cases.get(entry.case) if entry.case else None
        item = AgendaItem.objects.filter(meeting=meeting, number=entry.number).first()
        title = entry.title or (case.display_title if case else "")
        if item is None:
            AgendaItem.objects.create(meeting=meeting, number=entry.number, title=title, case=case)
        elif item.title != title or item.case_id != (case.pk if case else None):
            item.title, item.case = title, case
            item.save(update_fields=["title", "case", "updated_at"])
        result.agenda_items += 1
    result.meeting = meeting


def _import_scan(content, *, board: Board, source_file: str, path: pathlib.Path) -> ImportResult:
    """A PDF without a text layer: registered with what its metadata says, flagged as
    needing OCR (text_source "none"), never as an empty text."""
    CaseInfo, DocumentInfo, ParsedPack = (
        text_pack.CaseInfo,
        text_pack.DocumentInfo,
        text_pack.ParsedPack,
    )
    title = content.title or path.stem.replace("_", " ")
    meta = metadata.DocumentMeta(kind="annan", title=title, document_date=content.created)
    info = CaseInfo(board.short_name, "", f"PREL:{source_file}", 0, 0, provisional=True)
    info.offer_title(title, 0)
    if content.created:
        info.dates.append(content.created)
    ref = (board.short_name, info.key)
    document = DocumentInfo(
        case=ref,
        kind="annan",
        title=title,
        meta=meta,
        full_text="",
        clean_text="",
        text_source=Document.TextSource.NONE,
        ocr_quality=None,
        direction=Document.Direction.INCOMING,
        counterpart=content.author[:300],
        source_start=0,
        source_end=0,
        main=True,
    )
    pack = ParsedPack(
        board.short_name,
        None,
        {ref: info},
        [document],
        [],
        [f"{path.name}: PDF utan textlager ({content.pages} sidor) – behöver OCR."],
    )
    return import_parsed_pack(pack=pack, source_file=source_file)
